package org.cartrelay.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;

import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * How each answer of a receiver is classified, end to end through one hub and WireMock, read back
 * from the stored delivery and attempt rows; and {@link DeliveryPolicy#retryAfter} on its own. Each connector
 * listens to its own product id, so a test's checkout reaches only the connector it is about.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassificationTest {

    /** Fast retries, so "retried" shows within the test; no jitter, so waits are exact. */
    private static final String QUICK =
            "retry: {maxAttempts: 5, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}";

    private WireMockServer receiver;
    private TestDatabase database;
    private TestHub hub;
    private int closedPort;

    record AttemptRow(int attempt, Integer status, String outcome, String error, String response, Instant at) {}

    record DeliveryRow(
            String id,
            String eventId,
            String status,
            int attempts,
            Instant nextAttemptAt,
            String lastError,
            Instant deadAt) {}

    @BeforeAll
    void startHub() throws IOException {
        receiver =
                new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(20));
        receiver.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("ok", hook("ok", QUICK))
                .connector("e500", hook("e500", QUICK))
                .connector("e408", hook("e408", QUICK))
                .connector("e503", hook("e503", QUICK))
                .connector(
                        "r429",
                        hook(
                                "r429",
                                "retry: {maxAttempts: 5, initialDelay: 1s, multiplier: 2, maxDelay: 10m, jitter: 0}"))
                .connector(
                        "r429-long",
                        hook(
                                "r429-long",
                                "retry: {maxAttempts: 5, initialDelay: 1s, multiplier: 2, maxDelay: 10m, jitter: 0}"))
                .connector(
                        "r429-short",
                        hook(
                                "r429-short",
                                "retry: {maxAttempts: 5, initialDelay: 45s, multiplier: 2, maxDelay: 10m, jitter: 0}"))
                .connector("slow", hook("slow", "timeout: 500ms\n" + QUICK))
                .connector("refused", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/in
                        filter: {products: ["p-refused"]}
                        timeout: 2s
                        retry: {maxAttempts: 3, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}
                        """.formatted(closedPort))
                .connector("e400", hook("e400", QUICK))
                .connector("flaky", hook("flaky", QUICK))
                .connector(
                        "down",
                        hook(
                                "down",
                                "retry: {maxAttempts: 3, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}"))
                .start();
    }

    @AfterAll
    void stopHub() {
        if (hub != null) {
            hub.close();
        }
        receiver.stop();
        database.close();
    }

    private String hook(String name, String extra) {
        return """
                type: webhook
                endpoint: http://127.0.0.1:%d/%s
                filter: {products: ["p-%s"]}
                %s
                """.formatted(receiver.port(), name, name, extra);
    }

    /** Answers requests to {@code /<name>} with these responses in turn, the last one for good. */
    private void answers(String name, ResponseDefinitionBuilder... responses) {
        String state = Scenario.STARTED;
        for (int i = 0; i < responses.length; i++) {
            String next = "answer-" + (i + 1);
            var stub = post(urlEqualTo("/" + name))
                    .inScenario(name)
                    .whenScenarioStateIs(state)
                    .willReturn(responses[i]);
            receiver.stubFor(i < responses.length - 1 ? stub.willSetStateTo(next) : stub);
            state = next;
        }
    }

    private static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status);
    }

    private List<LoggedRequest> requests(String name) {
        return receiver.findAll(postRequestedFor(urlEqualTo("/" + name)));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** The one delivery to this connector (each test sends it one checkout). */
    private DeliveryRow delivery(String connector) {
        List<DeliveryRow> rows = hub.jdbc()
                .sql("""
                select id, event_id, status, attempts, next_attempt_at, last_error, dead_at
                from delivery where connector = ?""")
                .param(connector)
                .query((rs, n) -> new DeliveryRow(
                        rs.getString("id"),
                        rs.getString("event_id"),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        instant(rs, "next_attempt_at"),
                        rs.getString("last_error"),
                        instant(rs, "dead_at")))
                .list();
        assertThat(rows).hasSizeLessThanOrEqualTo(1);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private List<AttemptRow> attempts(String connector) {
        return hub.jdbc()
                .sql("""
                select a.attempt, a.status_code, a.outcome, a.error, a.response_body, a.attempted_at
                from delivery_attempt a join delivery d on d.id = a.delivery_id
                where d.connector = ? order by a.attempt""")
                .param(connector)
                .query((rs, n) -> new AttemptRow(
                        rs.getInt("attempt"),
                        (Integer) rs.getObject("status_code"),
                        rs.getString("outcome"),
                        rs.getString("error"),
                        rs.getString("response_body"),
                        instant(rs, "attempted_at")))
                .list();
    }

    private DeliveryRow awaitStatus(String connector, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            DeliveryRow row = delivery(connector);
            return row != null && status.equals(row.status());
        });
        return delivery(connector);
    }

    private void send(String connector) {
        Checkouts.start(hub, connector + "-1", "p-" + connector, "49.00", "DE");
    }

    private static String outcomes(List<AttemptRow> rows) {
        return rows.stream().map(r -> r.status() + " " + r.outcome()).collect(Collectors.joining(", "));
    }

    @Test
    void a2xxIsDeliveredAtTheFirstAttempt() {
        answers("ok", status(202));
        send("ok");

        DeliveryRow delivery = awaitStatus("ok", "delivered");
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.lastError()).isNull();
        assertThat(outcomes(attempts("ok"))).isEqualTo("202 delivered");
        assertThat(requests("ok")).hasSize(1);
    }

    @Test
    void a500IsRetriedThenDelivered() {
        answers("e500", status(500).withBody("oops"), status(200));
        send("e500");

        DeliveryRow delivery = awaitStatus("e500", "delivered");
        assertThat(delivery.attempts()).isEqualTo(2);
        List<AttemptRow> attempts = attempts("e500");
        assertThat(outcomes(attempts)).isEqualTo("500 retry, 200 delivered");
        assertThat(attempts.get(0).error()).isEqualTo("HTTP 500");
        assertThat(attempts.get(0).response()).isEqualTo("oops");
        assertThat(requests("e500")).hasSize(2);
    }

    @Test
    void a408IsRetried() {
        answers("e408", status(408), status(200));
        send("e408");

        awaitStatus("e408", "delivered");
        assertThat(outcomes(attempts("e408"))).isEqualTo("408 retry, 200 delivered");
    }

    @Test
    void a503IsRetried() {
        answers("e503", status(503), status(503), status(204));
        send("e503");

        awaitStatus("e503", "delivered");
        assertThat(outcomes(attempts("e503"))).isEqualTo("503 retry, 503 retry, 204 delivered");
    }

    @Test
    void a429WithRetryAfterSecondsIsNotRetriedBeforeThen() {
        answers("r429", status(429).withHeader("Retry-After", "120"), status(200));
        send("r429");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> attempts("r429").size() == 1
                        && "pending".equals(delivery("r429").status()));
        AttemptRow first = attempts("r429").get(0);
        DeliveryRow waiting = delivery("r429");
        assertThat(first.status()).isEqualTo(429);
        assertThat(first.outcome()).isEqualTo("throttled");
        // the backoff alone would wait 1 s; the receiver asked for 120 s, within cartrelay.delivery.throttle.max-wait
        Duration wait = Duration.between(first.at(), waiting.nextAttemptAt());
        assertThat(wait).isBetween(Duration.ofSeconds(120), Duration.ofSeconds(125));

        // once the hub's clock passes that time, the retry goes out and succeeds, and not before its due time
        hub.clock().advance(Duration.ofSeconds(126));
        DeliveryRow delivered = awaitStatus("r429", "delivered");
        List<AttemptRow> attempts = attempts("r429");
        assertThat(outcomes(attempts)).isEqualTo("429 throttled, 200 delivered");
        assertThat(attempts.get(1).at()).isAfterOrEqualTo(waiting.nextAttemptAt());
        assertThat(delivered.attempts()).isEqualTo(2);
    }

    @Test
    void aRetryAfterBeyondMaxWaitIsClampedToMaxWait() {
        answers("r429-long", status(429).withHeader("Retry-After", "86400"));
        send("r429-long");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> attempts("r429-long").size() == 1
                        && "pending".equals(delivery("r429-long").status()));
        Duration wait = Duration.between(
                attempts("r429-long").get(0).at(), delivery("r429-long").nextAttemptAt());
        assertThat(wait)
                .isBetween(Duration.ofMinutes(10), Duration.ofMinutes(10).plusSeconds(5));
    }

    @Test
    void aRetryAfterShorterThanTheBackoffIsWhatTheConnectorWaits() {
        answers("r429-short", status(429).withHeader("Retry-After", "2"), status(200));
        send("r429-short");

        // the backoff would wait 45 s; a throttled attempt is no failure, so it waits what the target asked for
        DeliveryRow delivered = awaitStatus("r429-short", "delivered");
        List<AttemptRow> attempts = attempts("r429-short");
        assertThat(outcomes(attempts)).isEqualTo("429 throttled, 200 delivered");
        assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at()))
                .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
        assertThat(delivered.attempts()).isEqualTo(2);
    }

    @Test
    void aTimeoutIsRetried() {
        answers("slow", status(200).withFixedDelay(3000), status(200));
        send("slow");

        DeliveryRow delivery = awaitStatus("slow", "delivered");
        List<AttemptRow> attempts = attempts("slow");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).status()).isNull();
        assertThat(attempts.get(0).outcome()).isEqualTo("retry");
        assertThat(attempts.get(0).error()).containsIgnoringCase("timed out");
        // the attempt gave up after the connector's 500 ms, not after the receiver's 3 s
        assertThat(hub.count(
                        "select duration_ms from delivery_attempt where delivery_id = ? and attempt = 1",
                        delivery.id()))
                .isLessThan(2500);
        assertThat(attempts.get(1).outcome()).isEqualTo("delivered");
    }

    @Test
    void aRefusedConnectionIsRetried() {
        send("refused");

        DeliveryRow delivery = awaitStatus("refused", "dead");
        List<AttemptRow> attempts = attempts("refused");
        assertThat(attempts).hasSize(3);
        assertThat(attempts).allSatisfy(attempt -> {
            assertThat(attempt.status()).isNull();
            assertThat(attempt.outcome()).isEqualTo("retry");
            assertThat(attempt.error()).containsIgnoringCase("refused");
        });
        assertThat(delivery.lastError())
                .startsWith("Gave up after 3 attempts; the last one failed with ")
                .containsIgnoringCase("refused");
    }

    @Test
    void a400IsDeadLetteredAtOnceWithASliceOfTheResponse() {
        String body = "{\"error\": \"email is not valid\", \"detail\": \"" + "x".repeat(5000) + "\"}";
        answers("e400", status(400).withBody(body), status(200));
        send("e400");

        DeliveryRow delivery = awaitStatus("e400", "dead");
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.deadAt()).isNotNull();
        assertThat(delivery.lastError())
                .isEqualTo(
                        "The receiver refused the request with HTTP 400; not retried (replay it once the receiver or the data is fixed).");
        List<AttemptRow> attempts = attempts("e400");
        assertThat(outcomes(attempts)).isEqualTo("400 dead");
        assertThat(attempts.get(0).response())
                .hasSize(2000)
                .isEqualTo(body.substring(0, 2000))
                .startsWith("{\"error\": \"email is not valid\"");
        assertThat(requests("e400")).hasSize(1);
    }

    @Test
    void everyAttemptOfOneDeliveryCarriesTheSameWebhookId() {
        answers("flaky", status(500), status(429), status(502), status(200));
        send("flaky");

        DeliveryRow delivery = awaitStatus("flaky", "delivered");
        assertThat(outcomes(attempts("flaky"))).isEqualTo("500 retry, 429 throttled, 502 retry, 200 delivered");
        List<LoggedRequest> requests = requests("flaky");
        assertThat(requests).hasSize(4);
        assertThat(requests).extracting(r -> r.getHeader("webhook-id")).containsOnly(delivery.eventId());
        assertThat(delivery.eventId()).startsWith("evt_");
    }

    @Test
    void exhaustingMaxAttemptsDeadLettersTheDeliveryWithTheReason() {
        answers("down", status(503).withBody("maintenance"));
        send("down");

        DeliveryRow delivery = awaitStatus("down", "dead");
        assertThat(delivery.attempts()).isEqualTo(3);
        assertThat(delivery.deadAt()).isNotNull();
        assertThat(delivery.lastError()).isEqualTo("Gave up after 3 attempts; the last one failed with HTTP 503");
        List<AttemptRow> attempts = attempts("down");
        assertThat(outcomes(attempts)).isEqualTo("503 retry, 503 retry, 503 retry");
        assertThat(attempts).extracting(AttemptRow::response).containsOnly("maintenance");
        assertThat(requests("down")).hasSize(3);
    }

    // Classification on its own

    @Test
    void retryAfterInSecondsIsThatManySeconds() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(DeliveryPolicy.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(DeliveryPolicy.retryAfter(" 7 ", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(DeliveryPolicy.retryAfter("0", now)).isEqualTo(Duration.ZERO);
        assertThat(DeliveryPolicy.retryAfter("-5", now)).isEqualTo(Duration.ZERO);
    }

    @Test
    void retryAfterAsAnHttpDateIsTheTimeUntilThen() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(DeliveryPolicy.retryAfter("Sun, 01 Mar 2026 12:01:30 GMT", now))
                .isEqualTo(Duration.ofSeconds(90));
        String inAnHour = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                now.plusSeconds(3600).atOffset(ZoneOffset.UTC));
        assertThat(DeliveryPolicy.retryAfter(inAnHour, now)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void retryAfterInThePastMeansNoExtraWait() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(DeliveryPolicy.retryAfter("Sun, 01 Mar 2026 11:59:00 GMT", now))
                .isEqualTo(Duration.ZERO);
        assertThat(DeliveryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now))
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void retryAfterThatCannotBeReadIsIgnored() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(DeliveryPolicy.retryAfter(null, now)).isNull();
        assertThat(DeliveryPolicy.retryAfter("", now)).isNull();
        assertThat(DeliveryPolicy.retryAfter("   ", now)).isNull();
        assertThat(DeliveryPolicy.retryAfter("soon", now)).isNull();
        assertThat(DeliveryPolicy.retryAfter("1.5", now)).isNull();
        assertThat(DeliveryPolicy.retryAfter("2026-03-01T12:05:00Z", now)).isNull();
    }

    @Test
    void statusCodesAreClassifiedAsThePolicySays() {
        assertThat(DeliveryPolicy.classify(200, false)).isEqualTo(Classification.DELIVERED);
        assertThat(DeliveryPolicy.classify(204, false)).isEqualTo(Classification.DELIVERED);
        assertThat(DeliveryPolicy.classify(299, false)).isEqualTo(Classification.DELIVERED);
        for (int retried : new int[] {408, 425, 500, 502, 503, 504, 599}) {
            assertThat(DeliveryPolicy.classify(retried, false))
                    .as("HTTP %d", retried)
                    .isEqualTo(Classification.RETRY);
        }
        // "slow down": 429 always, 503 when it says for how long
        assertThat(DeliveryPolicy.classify(429, false)).isEqualTo(Classification.THROTTLED);
        assertThat(DeliveryPolicy.classify(429, true)).isEqualTo(Classification.THROTTLED);
        assertThat(DeliveryPolicy.classify(503, true)).isEqualTo(Classification.THROTTLED);
        assertThat(DeliveryPolicy.classify(500, true)).isEqualTo(Classification.RETRY);
        assertThat(DeliveryPolicy.classify(410, false)).isEqualTo(Classification.GONE);
        for (int refused : new int[] {400, 401, 403, 404, 405, 409, 413, 422, 451, 499}) {
            assertThat(DeliveryPolicy.classify(refused, false))
                    .as("HTTP %d", refused)
                    .isEqualTo(Classification.DEAD);
        }
    }

    @Test
    void onlyATargetThatIsDownCountsTowardTheBreaker() {
        for (int down : new int[] {408, 500, 502, 503, 504}) {
            assertThat(DeliveryPolicy.ofStatus(down, null).targetDown())
                    .as("HTTP %d", down)
                    .isTrue();
        }
        for (int up : new int[] {200, 400, 404, 410, 422, 425, 429}) {
            assertThat(DeliveryPolicy.ofStatus(up, null).targetDown())
                    .as("HTTP %d", up)
                    .isFalse();
        }
        assertThat(DeliveryPolicy.ofStatus(503, Duration.ofSeconds(3)).targetDown())
                .isFalse();
    }
}
