package org.cartrelay.connectors.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.connectors.ConnectorSchema;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.connectors.http.VendorEvents.AttemptRow;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.store.DeadLetterStore;
import org.cartrelay.store.DeadLetterStore.DeadLetter;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The sql connector: one row per checkout, inserted on abandonment and updated on recovery, in the
 * hub's own database (H2 in the default run, the real PostgreSQL in the postgres run) and in a separate datasource;
 * names are checked by the schema and values are only ever parameters. A row the table refuses (a NOT NULL column
 * the file does not map) is dead at once, as is an event without a value for the key column; a unique violation is
 * retried, and the retry writes the row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlConnectorTest {

    private static final String TABLE = """
            create table %s (
                checkout_id varchar(100) primary key, email varchar(320), total numeric(12, 2), currency varchar(3),
                last_event varchar(40), abandoned_at timestamp with time zone, recovered_order varchar(100),
                recovered_amount numeric(12, 2), newsletter boolean, products varchar(200), event_json varchar(8000))""";
    private static final String COLUMNS = """
            columns:
              checkout_id: checkout.id
              email: customer.email
              total: checkout.total
              currency: checkout.currency
              last_event: type
              abandoned_at: abandonment.abandonedAt
              recovered_order: recovery.orderId
              recovered_amount: recovery.amount
              newsletter: consent.newsletter
              products: checkout.productIds
              event_json: event
            """;

    private final String otherUrl = "jdbc:h2:mem:sql-other-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private Connection other;
    private TestDatabase database;
    private TestHub hub;

    @BeforeAll
    void startHub() throws Exception {
        other = DriverManager.getConnection(otherUrl, "sa", "");
        other.createStatement().execute(TABLE.formatted("carts_elsewhere"));
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("OTHER_DB_URL", otherUrl)
                .connector("carts", """
                        type: sql
                        table: abandoned_carts
                        filter: {products: ["p-sql"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """ + COLUMNS)
                .connector("elsewhere", """
                        type: sql
                        table: carts_elsewhere
                        key: checkout_id
                        datasource: {url: "${OTHER_DB_URL}", username: sa, password: ""}
                        filter: {products: ["p-sql-other"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """ + COLUMNS)
                .connector("strict", """
                        type: sql
                        table: strict_carts
                        filter: {products: ["p-sql-strict"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        columns: {checkout_id: checkout.id, email: customer.email}
                        """)
                .connector("unique", """
                        type: sql
                        table: unique_carts
                        filter: {products: ["p-sql-unique"]}
                        retry: {maxAttempts: 3, initialDelay: 10m, maxDelay: 1h, jitter: 0}
                        columns: {checkout_id: checkout.id, email: customer.email, last_event: type}
                        """)
                .connector("coupons", """
                        type: sql
                        table: coupon_carts
                        key: coupon
                        filter: {products: ["p-sql-coupon"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        columns: {coupon: abandonment.coupon, email: customer.email}
                        """)
                .start();
        hub.jdbc().sql(TABLE.formatted("abandoned_carts")).update();
        // the shop's own column, which the file does not map
        hub.jdbc()
                .sql("create table strict_carts (checkout_id varchar(100) primary key, email varchar(320), "
                        + "shop_id varchar(40) not null)")
                .update();
        hub.jdbc()
                .sql("create table unique_carts (checkout_id varchar(100) primary key, email varchar(320), "
                        + "last_event varchar(40), constraint unique_carts_email_uk unique (email))")
                .update();
        hub.jdbc()
                .sql("create table coupon_carts (coupon varchar(40) primary key, email varchar(320))")
                .update();
    }

    @AfterAll
    void stopHub() throws Exception {
        Teardown.inOrder(hub, database, other);
    }

    @Test
    void anAbandonedCheckoutInsertsItsRowInTheHubsDatabaseAndItsRecoveryUpdatesTheSameRow() throws Exception {
        Instant before = hub.clock().instant().minusSeconds(1);
        Checkouts.start(hub, "sql-1", "p-sql", "49.90", "DE");

        await().atMost(Duration.ofSeconds(20)).until(() -> rows("cart-sql-1") == 1 && delivered("carts") >= 1);
        Map<String, Object> row = row("cart-sql-1");
        assertThat(row.get("email")).isEqualTo("sql-1@example.com");
        assertThat((BigDecimal) row.get("total")).isEqualByComparingTo("49.90");
        assertThat(row.get("currency")).isEqualTo("EUR");
        assertThat(row.get("last_event")).isEqualTo("checkout.abandoned");
        assertThat(row.get("newsletter")).isEqualTo(true);
        assertThat(row.get("products")).isEqualTo("p-sql");
        assertThat(row.get("recovered_order")).isNull();
        Instant abandonedAt = ((OffsetDateTime) row.get("abandoned_at")).toInstant();
        assertThat(abandonedAt).isBetween(before, hub.clock().instant().plusSeconds(1));
        JsonNode event = EventJson.MAPPER.readTree((String) row.get("event_json"));
        assertThat(event.get("checkout").get("id").asText()).isEqualTo("cart-sql-1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-sql-1' and status = 'abandoned'")
                        == 1);

        Checkouts.complete(hub, "sql-1", "49.90");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> "checkout.recovered".equals(row("cart-sql-1").get("last_event")));
        Map<String, Object> recovered = row("cart-sql-1");
        assertThat(rows("cart-sql-1")).isEqualTo(1);
        assertThat(recovered.get("recovered_order")).isEqualTo("ord-sql-1");
        assertThat((BigDecimal) recovered.get("recovered_amount")).isEqualByComparingTo("49.90");
        // the recovery carries no abandonment facts: the earlier values stay
        assertThat(((OffsetDateTime) recovered.get("abandoned_at")).toInstant()).isEqualTo(abandonedAt);
        assertThat(recovered.get("email")).isEqualTo("sql-1@example.com");
        assertThat(hub.count("select count(*) from delivery where connector = 'carts' and status = 'delivered'"))
                .isEqualTo(2);
    }

    @Test
    void aSeparateDatasourceReceivesItsConnectorsRowsAndTheHubsTableNone() throws Exception {
        Checkouts.start(hub, "sql-2", "p-sql-other", "120.00", "US");

        await().atMost(Duration.ofSeconds(20)).until(() -> otherRows("cart-sql-2") == 1);
        try (ResultSet rs = other.createStatement()
                .executeQuery(
                        "select email, total, last_event from carts_elsewhere where checkout_id = 'cart-sql-2'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("email")).isEqualTo("sql-2@example.com");
            assertThat(rs.getBigDecimal("total")).isEqualByComparingTo("120.00");
            assertThat(rs.getString("last_event")).isEqualTo("checkout.abandoned");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered("elsewhere") == 1);
        assertThat(rows("cart-sql-2")).isZero();
    }

    private String attemptError(String connector, String eventId, int attempt) {
        return hub.jdbc()
                .sql("""
                select a.error from delivery_attempt a join delivery d on d.id = a.delivery_id
                where d.connector = ? and d.event_id = ? and a.attempt = ?""")
                .params(connector, eventId, attempt)
                .query(String.class)
                .single();
    }

    @Test
    void aRowTheTableRefusesIsDeadLetteredAtOnceWithoutBlamingTheDatabase() {
        Checkouts.start(hub, "sql-strict", "p-sql-strict", "49.00", "DE");
        String eventId = VendorEvents.abandonedEventOf(hub, "sql-strict");

        DeadLetter letter = VendorEvents.awaitDeadLetter(hub, "strict");
        assertThat(letter.eventId()).isEqualTo(eventId);
        assertThat(letter.attempts()).isEqualTo(1);
        // the NOT NULL column the file leaves empty (SQLSTATE 23502): the same row would be refused again
        assertThat(letter.reason())
                .startsWith("Not retried (replay it once the cause is fixed): ")
                .containsIgnoringCase("shop_id");
        assertThat(letter.attemptLog())
                .extracting(DeadLetterStore.AttemptRow::outcome)
                .containsExactly("dead");
        assertThat(hub.count("select count(*) from strict_carts")).isZero();
        ConnectorRuntimes runtimes = hub.bean(ConnectorRuntimes.class);
        assertThat(runtimes.get("strict").orElseThrow().circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(runtimes.breakers().circuitBreaker("strict").getMetrics().getNumberOfFailedCalls())
                .isZero();
    }

    @Test
    void anEventWithoutAValueForTheKeyColumnIsDeadLetteredAtOnce() {
        OutboundEvent event = VendorEvents.publish(
                hub, VendorEvents.abandoned("sql-no-coupon", "p-sql-coupon", "49.00", null, List.of(), null));

        DeadLetter letter = VendorEvents.awaitDeadLetter(hub, "coupons");
        assertThat(letter.eventId()).isEqualTo(event.id());
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.reason())
                .isEqualTo("Not retried (replay it once the cause is fixed): PermanentDeliveryException: The event "
                        + "has no abandonment.coupon, the value of key column 'coupon' of table coupon_carts, so its row "
                        + "cannot be written.");
        assertThat(hub.count("select count(*) from coupon_carts")).isZero();
    }

    @Test
    void aUniqueViolationIsRetriedAndTheRetryWritesTheRow() {
        // another checkout's row holds the buyer's address, which the table keeps unique
        hub.jdbc()
                .sql("insert into unique_carts (checkout_id, email, last_event) values (?, ?, ?)")
                .params("cart-sql-u-old", "sql-u@example.com", "checkout.abandoned")
                .update();
        Checkouts.start(hub, "sql-u", "p-sql-unique", "49.00", "DE");
        String eventId = VendorEvents.abandonedEventOf(hub, "sql-u");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> VendorEvents.attempts(hub, "unique", eventId).size() == 1
                        && "pending"
                                .equals(VendorEvents.delivery(hub, "unique", eventId)
                                        .status()));
        assertThat(VendorEvents.attempts(hub, "unique", eventId).get(0).outcome())
                .isEqualTo("retry");
        assertThat(attemptError("unique", eventId, 1)).containsIgnoringCase("unique_carts_email_uk");

        hub.jdbc()
                .sql("delete from unique_carts where checkout_id = ?")
                .param("cart-sql-u-old")
                .update();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count("select count(*) from delivery where lease_token is not null") == 0);
        hub.clock().advance(Duration.ofMinutes(11));
        VendorEvents.awaitDelivered(hub, "unique", eventId);
        assertThat(VendorEvents.attempts(hub, "unique", eventId))
                .extracting(AttemptRow::outcome)
                .containsExactly("retry", "delivered");
        assertThat(hub.jdbc()
                        .sql("select email from unique_carts where checkout_id = ?")
                        .param("cart-sql-u")
                        .query(String.class)
                        .single())
                .isEqualTo("sql-u@example.com");
    }

    @Test
    void theStatementsNameOnlyConfiguredIdentifiersAndCarryEveryValueAsANamedParameter() {
        SqlConnector connector = (SqlConnector) hub.bean(org.cartrelay.connectors.ConnectorRegistry.class)
                .get("carts")
                .orElseThrow();
        assertThat(connector.updateStatement())
                .isEqualTo("update abandoned_carts set "
                        + "email = coalesce(:#email, email), total = coalesce(:#total, total), "
                        + "currency = coalesce(:#currency, currency), last_event = coalesce(:#last_event, last_event), "
                        + "abandoned_at = coalesce(:#abandoned_at, abandoned_at), "
                        + "recovered_order = coalesce(:#recovered_order, recovered_order), "
                        + "recovered_amount = coalesce(:#recovered_amount, recovered_amount), "
                        + "newsletter = coalesce(:#newsletter, newsletter), products = coalesce(:#products, products), "
                        + "event_json = coalesce(:#event_json, event_json) where checkout_id = :#checkout_id");
        assertThat(connector.insertStatement())
                .isEqualTo("insert into abandoned_carts (checkout_id, email, total, "
                        + "currency, last_event, abandoned_at, recovered_order, recovered_amount, newsletter, products, "
                        + "event_json) values (:#checkout_id, :#email, :#total, :#currency, :#last_event, :#abandoned_at, "
                        + ":#recovered_order, :#recovered_amount, :#newsletter, :#products, :#event_json)");
    }

    @Test
    void badNamesAndAnUnknownFieldAreRefusedNamingTheKey(@TempDir Path folder) throws Exception {
        assertThat(failure(folder, "type: sql\ntable: \"carts; drop table delivery\"\ncolumns: {id: checkout.id}\n"))
                .contains("key 'table'");
        assertThat(failure(folder, "type: sql\ntable: carts\ncolumns: {\"id = 1 or\": checkout.id}\n"))
                .contains("columns");
        assertThat(failure(folder, "type: sql\ntable: carts\ncolumns: {id: checkout.secret}\n"))
                .contains("key 'columns.id'");
        // a key column that is not mapped is caught when the connector is created
        Path file = Files.writeString(
                folder.resolve("unmapped.yaml"), "type: sql\ntable: carts\nkey: nope\ncolumns: {id: checkout.id}\n");
        Throwable thrown =
                catchThrowable(() -> ConnectorType.of("sql", SqlSettings.class, (d, s) -> new SqlConnector(d, s, null))
                        .create(new ConnectorLoader(new MockEnvironment()).load(file)));
        assertThat(thrown)
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + file
                        + ": key 'key' names the column 'nope', which is not in 'columns'; expected one of [id].");
    }

    @Test
    void theSchemaListsExactlyTheCartFieldsTheConnectorKnows() {
        JsonNode names = ConnectorSchema.fragments()
                .get("sql")
                .path("properties")
                .path("columns")
                .path("additionalProperties")
                .path("enum");
        TreeSet<String> listed = new TreeSet<>();
        names.forEach(name -> listed.add(name.asText()));
        assertThat(listed).isEqualTo(new TreeSet<>(CartFields.ALL.keySet()));
    }

    private static String failure(Path folder, String yaml) throws Exception {
        Path file = Files.writeString(folder.resolve("bad-" + UUID.randomUUID() + ".yaml"), yaml);
        Throwable thrown = catchThrowable(() -> new ConnectorLoader(new MockEnvironment()).load(file));
        assertThat(thrown).isInstanceOf(ConnectorConfigException.class);
        return thrown.getMessage();
    }

    private long rows(String checkout) {
        return hub.count("select count(*) from abandoned_carts where checkout_id = ?", checkout);
    }

    private long delivered(String connector) {
        return hub.count("select count(*) from delivery where connector = ? and status = 'delivered'", connector);
    }

    private Map<String, Object> row(String checkout) {
        return hub.jdbc()
                .sql("select * from abandoned_carts where checkout_id = ?")
                .param(checkout)
                .query((ResultSet rs, int n) -> {
                    Map<String, Object> values = new java.util.HashMap<>();
                    for (String column : new String[] {
                        "email",
                        "total",
                        "currency",
                        "last_event",
                        "recovered_order",
                        "recovered_amount",
                        "newsletter",
                        "products",
                        "event_json"
                    }) {
                        values.put(column, rs.getObject(column));
                    }
                    values.put("abandoned_at", rs.getObject("abandoned_at", OffsetDateTime.class));
                    return values;
                })
                .single();
    }

    private long otherRows(String checkout) throws Exception {
        try (PreparedStatement count =
                other.prepareStatement("select count(*) from carts_elsewhere where checkout_id = ?")) {
            count.setString(1, checkout);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
