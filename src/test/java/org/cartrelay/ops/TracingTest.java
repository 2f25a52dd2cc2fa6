package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * One trace per notice: the intake's span (continuing the sender's {@code traceparent}), the timer's abandonment, the
 * fan-out and each delivery attempt, parent to child, every span naming the stored ids; the webhook target gets each
 * attempt's {@code traceparent}. Spans are caught by an in-memory exporter in place of OTLP. Off by default: then no
 * span context is stored and no {@code traceparent} sent.
 */
class TracingTest {

    /** The sender's own trace, which the hub's spans continue. */
    private static final String SENDER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static final String SENDER_SPAN = "00f067aa0ba902b7";

    /** No parent: OpenTelemetry's invalid span id. */
    private static final String NO_PARENT = "0000000000000000";

    private TestDatabase database;
    private ScriptedTarget crm;

    @BeforeEach
    void setUp() {
        database = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        if (crm != null) {
            crm.close();
        }
        database.close();
    }

    private TestHub.Builder hub(ScriptedTarget.Script script) {
        crm = new ScriptedTarget(script);
        return TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", """
                        type: webhook
                        endpoint: %s
                        retry: {maxAttempts: 5, initialDelay: 200ms, multiplier: 1, maxDelay: 200ms, jitter: 0}
                        """.formatted(crm.url()));
    }

    @Test
    void aNoticeIsOneTraceFromItsIntakeThroughTheTimerAndTheFanOutToEachAttempt() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        // the first attempt of the abandonment fails, its retry succeeds: two attempt spans of one fan-out
        try (TestHub hub = hub(call -> call.abandoned() && call.nth() == 1 ? Answer.of(503) : Answer.of(200))
                .property("management.tracing.enabled", "true")
                .property("management.tracing.opentelemetry.export.schedule-delay", "100ms")
                .bean("testSpanExporter", spans)
                .start()) {
            String json = """
                    {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-t1",
                     "checkout": {"id": "cart-t1", "currency": "EUR", "total": "49.00",
                                  "items": [{"productId": "p-1", "name": "Tea", "quantity": 1, "unitPrice": "49.00"}]},
                     "customer": {"email": "t1@example.com", "firstName": "Test", "address": {"country": "DE"}},
                     "consent": {"newsletter": true}}
                    """;
            assertThat(Notices.post(
                                    hub,
                                    "start-t1",
                                    json,
                                    Map.of("traceparent", "00-" + SENDER_TRACE + "-" + SENDER_SPAN + "-01"))
                            .statusCode())
                    .isEqualTo(202);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> named(spans, "cartrelay deliver crm").size() == 2);
            String noticeId =
                    hub.jdbc().sql("select id from notice").query(String.class).single();
            String checkoutId = hub.jdbc()
                    .sql("select id from checkout where checkout_ref = 'cart-t1'")
                    .query(String.class)
                    .single();
            String eventId = hub.jdbc()
                    .sql("select id from outbound_event where type = 'checkout.abandoned'")
                    .query(String.class)
                    .single();
            String deliveryId = hub.jdbc()
                    .sql("select id from delivery where event_id = ?")
                    .param(eventId)
                    .query(String.class)
                    .single();

            SpanData intake = single(spans, "cartrelay intake generic");
            assertThat(intake.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(intake.getTraceId()).isEqualTo(SENDER_TRACE);
            assertThat(intake.getParentSpanId()).isEqualTo(SENDER_SPAN);
            assertThat(attribute(intake, Traces.NOTICE_ID)).isEqualTo(noticeId);

            SpanData abandon = single(spans, "cartrelay abandon");
            assertThat(abandon.getTraceId()).isEqualTo(SENDER_TRACE);
            assertThat(abandon.getParentSpanId()).isEqualTo(intake.getSpanId());
            assertThat(attribute(abandon, Traces.CHECKOUT_ID)).isEqualTo(checkoutId);
            assertThat(attribute(abandon, Traces.EVENT_ID)).isEqualTo(eventId);

            SpanData fanout = single(spans, "cartrelay fanout checkout.abandoned");
            assertThat(fanout.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(fanout.getTraceId()).isEqualTo(SENDER_TRACE);
            assertThat(fanout.getParentSpanId()).isEqualTo(abandon.getSpanId());
            assertThat(attribute(fanout, Traces.EVENT_ID)).isEqualTo(eventId);
            assertThat(fanout.getAttributes().get(AttributeKey.longKey("cartrelay.deliveries")))
                    .isEqualTo(1L);

            List<SpanData> attempts = named(spans, "cartrelay deliver crm").stream()
                    .sorted((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos()))
                    .toList();
            assertThat(attempts).allSatisfy(attempt -> {
                assertThat(attempt.getKind()).isEqualTo(SpanKind.CLIENT);
                assertThat(attempt.getTraceId()).isEqualTo(SENDER_TRACE);
                assertThat(attempt.getParentSpanId()).isEqualTo(fanout.getSpanId());
                assertThat(attribute(attempt, Traces.EVENT_ID)).isEqualTo(eventId);
                assertThat(attribute(attempt, Traces.DELIVERY_ID)).isEqualTo(deliveryId);
                assertThat(attribute(attempt, Traces.CONNECTOR)).isEqualTo("crm");
            });
            assertThat(attempts.get(0).getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                    .isEqualTo(503L);
            assertThat(attribute(attempts.get(0), "cartrelay.delivery.next")).isEqualTo("pending");
            assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                    .isEqualTo(200L);
            assertThat(attribute(attempts.get(1), "cartrelay.outcome")).isEqualTo("delivered");

            // the target saw each attempt's own span as its parent
            List<Call> calls = crm.calls(Call::abandoned);
            assertThat(calls).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(calls.get(i).traceParent())
                        .isEqualTo("00-" + SENDER_TRACE + "-" + attempts.get(i).getSpanId() + "-01");
            }
            // what links the steps across the database
            assertThat(hub.jdbc()
                            .sql("select trace_parent from checkout where id = ?")
                            .param(checkoutId)
                            .query(String.class)
                            .single())
                    .isEqualTo("00-" + SENDER_TRACE + "-" + intake.getSpanId() + "-01");
            assertThat(hub.jdbc()
                            .sql("select trace_parent from outbound_event where id = ?")
                            .param(eventId)
                            .query(String.class)
                            .single())
                    .isEqualTo("00-" + SENDER_TRACE + "-" + fanout.getSpanId() + "-01");
        }
    }

    @Test
    void aRecoveryContinuesTheTraceOfTheOrderThatPaidWhichAMalformedTraceparentLeavesATraceOfItsOwn() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (TestHub hub = hub(call -> Answer.of(200))
                .property("management.tracing.enabled", "true")
                .property("management.tracing.opentelemetry.export.schedule-delay", "100ms")
                .bean("testSpanExporter", spans)
                .start()) {
            Checkouts.start(hub, "r1", "p-1", "19.00", "DE");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !crm.calls(Call::abandoned).isEmpty());
            String orderJson = """
                    {"type": "order.completed", "source": "test-shop", "sourceEventId": "order-r1",
                     "checkout": {"id": "cart-r1", "currency": "EUR", "total": "19.00"},
                     "order": {"id": "ord-r1"}, "customer": {"email": "r1@example.com"}}
                    """;
            assertThat(Notices.post(hub, "order-r1", orderJson, Map.of("traceparent", "00-not-a-trace-\\r\\n-01"))
                            .statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            !named(spans, "cartrelay fanout checkout.recovered").isEmpty()
                                    && named(spans, "cartrelay deliver crm").size() == 2);

            List<SpanData> intakes = named(spans, "cartrelay intake generic").stream()
                    .sorted((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos()))
                    .toList();
            assertThat(intakes).hasSize(2);
            SpanData order = intakes.get(1);
            SpanData recovered = single(spans, "cartrelay fanout checkout.recovered");
            // a trace of its own, begun by the order's notice (its sender's traceparent does not parse)
            assertThat(order.getParentSpanId()).isEqualTo(NO_PARENT);
            assertThat(recovered.getTraceId())
                    .isEqualTo(order.getTraceId())
                    .isNotEqualTo(intakes.get(0).getTraceId());
            assertThat(recovered.getParentSpanId()).isEqualTo(order.getSpanId());
            SpanData delivered = named(spans, "cartrelay deliver crm").stream()
                    .filter(span -> "checkout.recovered".equals(attribute(span, Traces.EVENT_TYPE)))
                    .findFirst()
                    .orElseThrow();
            assertThat(delivered.getParentSpanId()).isEqualTo(recovered.getSpanId());
            assertThat(crm.calls(Call::recovered).get(0).traceParent())
                    .isEqualTo("00-" + order.getTraceId() + "-" + delivered.getSpanId() + "-01");
        }
    }

    @Test
    void offByDefaultNothingIsStoredAndNoTraceparentIsSent() {
        try (TestHub hub = hub(call -> Answer.of(200)).start()) {
            Checkouts.start(hub, "off", "p-1", "19.00", "DE");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !crm.calls(Call::abandoned).isEmpty());

            assertThat(crm.calls())
                    .allSatisfy(call -> assertThat(call.traceParent()).isNull());
            assertThat(hub.count("select count(*) from checkout where trace_parent is not null"))
                    .isZero();
            assertThat(hub.count("select count(*) from outbound_event where trace_parent is not null"))
                    .isZero();
        }
    }

    private static List<SpanData> named(InMemorySpanExporter spans, String name) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name))
                .toList();
    }

    private static SpanData single(InMemorySpanExporter spans, String name) {
        List<SpanData> named = named(spans, name);
        assertThat(named).as("spans named '%s'", name).hasSize(1);
        return named.get(0);
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
