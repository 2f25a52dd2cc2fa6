package org.cartrelay.store;

import java.sql.DatabaseMetaData;
import javax.sql.DataSource;

import org.cartrelay.config.ConfigurationProblem;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * The stores written for the hub's database, PostgreSQL or H2, picked once at start-up from the JDBC URL of the
 * DataSource, as Spring Boot picks by {@link DatabaseDriver}. The stores whose statements differ by database come in
 * one implementation per database; no store asks which one it runs on.
 */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean
    DatabaseDriver storeDatabase(DataSource dataSource) {
        String url;
        try {
            url = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getURL);
        } catch (MetaDataAccessException e) {
            throw new ConfigurationProblem(
                    "The hub could not read which database spring.datasource.url names: " + e.getMessage(),
                    "Check that the database at spring.datasource.url is reachable with spring.datasource.username "
                            + "and spring.datasource.password.",
                    e);
        }
        DatabaseDriver driver = DatabaseDriver.fromJdbcUrl(url);
        if (driver != DatabaseDriver.POSTGRESQL && driver != DatabaseDriver.H2) {
            throw new ConfigurationProblem(
                    "The hub's store runs on PostgreSQL or H2, but spring.datasource.url names " + driver.getId() + " ("
                            + url + ").",
                    "Point spring.datasource.url at a PostgreSQL database (jdbc:postgresql://…), or unset it for the "
                            + "embedded H2 database.");
        }
        return driver;
    }

    @Bean
    BulkInsert bulkInsert(DatabaseDriver storeDatabase, JdbcTemplate jdbcTemplate) {
        return storeDatabase == DatabaseDriver.POSTGRESQL
                ? new PostgresBulkInsert(jdbcTemplate)
                : new H2BulkInsert(jdbcTemplate);
    }

    @Bean
    CheckoutStore checkoutStore(
            DatabaseDriver storeDatabase, JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulkInsert) {
        return storeDatabase == DatabaseDriver.POSTGRESQL
                ? new PostgresCheckoutStore(jdbc, jdbcTemplate, bulkInsert)
                : new H2CheckoutStore(jdbc, jdbcTemplate, bulkInsert);
    }

    @Bean
    NoticeStore noticeStore(
            DatabaseDriver storeDatabase, JdbcClient jdbc, JdbcTemplate jdbcTemplate, CheckoutStore checkoutStore) {
        return storeDatabase == DatabaseDriver.POSTGRESQL
                ? new PostgresNoticeStore(jdbc, jdbcTemplate)
                : new H2NoticeStore(jdbc, jdbcTemplate, checkoutStore);
    }

    @Bean
    OutboxStore outboxStore(
            DatabaseDriver storeDatabase, JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulkInsert) {
        return storeDatabase == DatabaseDriver.POSTGRESQL
                ? new PostgresOutboxStore(jdbc, jdbcTemplate, bulkInsert)
                : new H2OutboxStore(jdbc, jdbcTemplate, bulkInsert);
    }
}
