package org.cartrelay.connectors.sql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.sql.SqlConstants;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.FailureKind;
import org.cartrelay.connectors.PermanentDeliveryException;
import org.cartrelay.event.OutboundEvent;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.BadSqlGrammarException;

/**
 * Upserts one row per checkout into {@code table}: an update of the row whose {@code key} column holds this
 * checkout's value, else an insert; the same two statements on H2, PostgreSQL or any other database. A field the
 * event does not carry (a recovery has no coupon) leaves the column's earlier value in place. Table and column names
 * come from the file, checked against an identifier pattern by the schema; every value is a named parameter
 * (camel-sql {@code :#name}), never part of the SQL text. Two deliveries racing to insert the same new row: the loser
 * fails on the key's unique constraint and its retry updates the row.
 */
public class SqlConnector implements Connector {

    private final ConnectorDefinition definition;
    private final DataSource dataSource;
    /** Column name → the cart field it holds, in the file's order. */
    private final Map<String, Function<OutboundEvent, Object>> columns = new LinkedHashMap<>();

    private final Map<String, String> fieldOf = new LinkedHashMap<>();
    private final String table;
    private final String key;

    public SqlConnector(ConnectorDefinition definition, SqlSettings settings, DataSource dataSource) {
        this.definition = definition;
        this.dataSource = dataSource;
        this.table = settings.table();
        settings.columns().forEach((column, field) -> {
            columns.put(column, CartFields.ALL.get(field));
            fieldOf.put(column, field);
        });
        this.key = keyColumn(definition, settings.key(), fieldOf);
    }

    /** The configured key column, else the column that holds {@code checkout.id}. */
    private static String keyColumn(ConnectorDefinition definition, String key, Map<String, String> fieldOf) {
        if (key != null) {
            if (!fieldOf.containsKey(key)) {
                throw new ConnectorConfigException("Connector file " + definition.file() + ": key 'key' names the "
                        + "column '" + key + "', which is not in 'columns'; expected one of " + fieldOf.keySet() + ".");
            }
            return key;
        }
        return fieldOf.entrySet().stream()
                .filter(e -> e.getValue().equals("checkout.id"))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(() -> new ConnectorConfigException("Connector file " + definition.file()
                        + ": key 'columns' maps no column to checkout.id, so 'key' must name the column that "
                        + "identifies the row."));
    }

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    /**
     * A database's error by its SQLSTATE class: a data exception (22), a constraint the row breaks (23) and a
     * statement the table does not fit (42, its configuration) are permanent, except a unique violation, which is a
     * racing insert of the same row whose retry updates it; a connection (08), a resource (53) or an operator's
     * (57) error means the database is down; the rest (a deadlock, say) is retried.
     */
    @Override
    public FailureKind failureKind(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DuplicateKeyException) {
                return FailureKind.TRANSIENT;
            }
            if (cause instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().length() >= 2) {
                String state = sql.getSQLState();
                return switch (state.substring(0, 2)) {
                    case "23" -> state.equals("23505") ? FailureKind.TRANSIENT : FailureKind.PERMANENT;
                    case "22", "42" -> FailureKind.PERMANENT;
                    case "08", "53", "57" -> FailureKind.TARGET_DOWN;
                    default -> FailureKind.TRANSIENT;
                };
            }
            if (cause instanceof DataIntegrityViolationException || cause instanceof BadSqlGrammarException) {
                return FailureKind.PERMANENT;
            }
            if (cause instanceof DataAccessResourceFailureException) {
                return FailureKind.TARGET_DOWN;
            }
        }
        return null;
    }

    String updateStatement() {
        List<String> sets = new ArrayList<>();
        for (String column : columns.keySet()) {
            if (!column.equals(key)) {
                sets.add(column + " = coalesce(:#" + column + ", " + column + ")");
            }
        }
        if (sets.isEmpty()) {
            // only the key is mapped: "updating" it to itself still tells whether the row exists
            sets.add(key + " = :#" + key);
        }
        return "update " + table + " set " + String.join(", ", sets) + " where " + key + " = :#" + key;
    }

    String insertStatement() {
        return "insert into " + table + " (" + String.join(", ", columns.keySet()) + ") values ("
                + String.join(", ", columns.keySet().stream().map(c -> ":#" + c).toList()) + ")";
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        String bean = "cartrelay-sql-" + definition.name();
        builder.getContext().getRegistry().bind(bean, DataSource.class, dataSource);
        String options = "?dataSource=#" + bean + "&noop=true";
        builder.from(deliveryUri())
                .routeId(routeId())
                .unmarshal(Connector.outboundEvent())
                .process(this::parameters)
                .to("sql:" + updateStatement() + options)
                .choice()
                .when(builder.header(SqlConstants.SQL_UPDATE_COUNT).isEqualTo(0))
                .to("sql:" + insertStatement() + options)
                .end();
    }

    /** The body becomes the named parameters: one per column, the value of its cart field. */
    private void parameters(Exchange exchange) {
        OutboundEvent event = exchange.getMessage().getBody(OutboundEvent.class);
        Map<String, Object> values = new HashMap<>();
        columns.forEach((column, field) -> values.put(column, field.apply(event)));
        if (values.get(key) == null) {
            throw new PermanentDeliveryException("The event has no " + fieldOf.get(key) + ", the value of key column '"
                    + key + "' of table " + table + ", so its row cannot be written.");
        }
        exchange.getMessage().setBody(values);
    }
}
