package org.cartrelay.delivery;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.stereotype.Component;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

/**
 * The buckets of the connectors' {@code rateLimit} that every instance on one PostgreSQL draws from, so that the
 * instances together call a target no faster than its file allows. Each call takes its token in a short transaction
 * of its own that locks the connector's row of {@code rate_bucket}. On H2 (one instance) there are none: each
 * {@link Throttle}'s own bucket is the limit.
 */
@Component
public class SharedRates {

    private final ProxyManager<String> buckets;

    public SharedRates(DatabaseDriver storeDatabase, DataSource dataSource) {
        this.buckets = storeDatabase == DatabaseDriver.POSTGRESQL
                ? Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                        .primaryKeyMapper(PrimaryKeyMapper.STRING)
                        .table("rate_bucket")
                        .idColumn("id")
                        .stateColumn("state")
                        .build()
                : null;
    }

    /**
     * The shared bucket of a connector's {@code rateLimit}, or {@code null} when it has none or the instances do not
     * share a database. A stored bucket of another limit (the file changed) takes this instance's, keeping its
     * tokens: the instance started last decides.
     */
    BucketProxy of(String connector, double perSecond) {
        if (buckets == null || Double.isInfinite(perSecond)) {
            return null;
        }
        BucketConfiguration configuration = Throttle.configuration(perSecond);
        BucketProxy bucket = buckets.builder().build(connector, () -> configuration);
        buckets.getProxyConfiguration(connector)
                .filter(stored -> !stored.equals(configuration))
                .ifPresent(stored -> bucket.replaceConfiguration(configuration, TokensInheritanceStrategy.AS_IS));
        return bucket;
    }
}
