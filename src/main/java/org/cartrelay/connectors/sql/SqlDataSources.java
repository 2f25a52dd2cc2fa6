package org.cartrelay.connectors.sql;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import org.cartrelay.connectors.ConnectorDefinition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.stereotype.Component;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The databases {@code type: sql} connectors write to: the hub's own unless a file gives a JDBC URL; such a pool is
 * the connector's own and is closed with the hub.
 */
@Component
public class SqlDataSources implements DisposableBean {

    private final DataSource hubDataSource;
    private final List<HikariDataSource> own = new ArrayList<>();

    public SqlDataSources(DataSource hubDataSource) {
        this.hubDataSource = hubDataSource;
    }

    public DataSource of(ConnectorDefinition definition, SqlSettings settings) {
        SqlSettings.Datasource datasource = settings.datasource();
        if (datasource == null) {
            return hubDataSource;
        }
        HikariDataSource pool = DataSourceBuilder.create()
                .type(HikariDataSource.class)
                .url(datasource.url())
                .username(datasource.username())
                .password(datasource.password())
                .build();
        pool.setPoolName("cartrelay-sql-" + definition.name());
        pool.setMaximumPoolSize(4);
        // connect on first use, so a target database that is down delays deliveries, not the hub's start-up
        pool.setInitializationFailTimeout(-1);
        own.add(pool);
        return pool;
    }

    @Override
    public void destroy() {
        own.forEach(HikariDataSource::close);
    }
}
