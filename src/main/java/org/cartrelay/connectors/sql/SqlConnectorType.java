package org.cartrelay.connectors.sql;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;

/**
 * {@code type: sql}: one row per checkout in a table. Keys: {@code table}, {@code columns}, {@code key} and
 * {@code datasource} (the hub's own database unless it gives a JDBC URL; such a pool is closed with the hub).
 */
@Component
public class SqlConnectorType implements ConnectorType, DisposableBean {

    private final DataSource hubDataSource;
    private final List<HikariDataSource> own = new ArrayList<>();

    public SqlConnectorType(DataSource hubDataSource) {
        this.hubDataSource = hubDataSource;
    }

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        JsonNode datasource = definition.config().get("datasource");
        DataSource target = hubDataSource;
        if (datasource != null) {
            HikariDataSource pool = DataSourceBuilder.create().type(HikariDataSource.class)
                    .url(datasource.get("url").asText())
                    .username(datasource.path("username").asText(null))
                    .password(datasource.path("password").asText(null))
                    .build();
            pool.setPoolName("cartrelay-sql-" + definition.name());
            pool.setMaximumPoolSize(4);
            // connect on first use, so a target database that is down delays deliveries, not the hub's start-up
            pool.setInitializationFailTimeout(-1);
            own.add(pool);
            target = pool;
        }
        return new SqlConnector(definition, target);
    }

    @Override
    public void destroy() {
        own.forEach(HikariDataSource::close);
    }
}
