package org.cartrelay.intake.generic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.json;
import static org.cartrelay.intake.IntakeTestSupport.notice;
import static org.cartrelay.intake.IntakeTestSupport.notices;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.intake.IntakeTestSupport.StoredNotice;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code POST /events}: Standard Webhooks signature, 5-minute tolerance, schema errors. */
public class GenericIntakeTest {

    private static final String PATH = "/events";
    private static final long FIXTURE_TIMESTAMP = 1795694400L;

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    @AfterEach
    void unpinClock() {
        hub().clock().pin(null);
    }

    /** {@code v1,<base64 HMAC-SHA256>} of {@code id.timestamp.body} with the fixture secret, computed here. */
    public static String sign(String id, long timestamp, String body) {
        try {
            byte[] key = Base64.getDecoder().decode(Fixtures.GENERIC_SECRET.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, String> headers(String id, long timestamp, String signature) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", signature);
        return headers;
    }

    public static HttpResponse<String> postSigned(TestHub hub, String id, long timestamp, String body) {
        return hub.post(PATH, body, headers(id, timestamp, sign(id, timestamp, body)));
    }

    private static long now() {
        return hub().clock().instant().getEpochSecond();
    }

    private static String event(String sourceEventId) {
        return """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "%s",
                 "checkout": {"id": "%s", "currency": "EUR", "total": "12.00"},
                 "customer": {"email": "%s@example.net"}}""".formatted(sourceEventId, sourceEventId, sourceEventId);
    }

    private static void assertAccepted(HttpResponse<String> response, String storedSourceEventId) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        String id = json(response.body()).get("id").asText();
        assertThat(id).startsWith("ntc_");
        StoredNotice stored = notice(hub(), "generic", storedSourceEventId).orElseThrow();
        assertThat(stored.id()).isEqualTo(id);
        assertThat(stored.outcome()).isEqualTo("processed");
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asText()).isNotBlank();
        return problem;
    }

    @Test
    void theFixtureIsAcceptedWithTheClockPinnedToItsSigningTime() {
        hub().clock().pin(Instant.ofEpochSecond(FIXTURE_TIMESTAMP).plusSeconds(30));
        String body = Fixtures.text("generic/checkout-started.json");
        HttpResponse<String> response = hub().post(PATH, body, Fixtures.headers("generic/checkout-started.headers"));
        assertAccepted(response, "generic:shop-42:cart-9f1");

        StoredNotice stored =
                notice(hub(), "generic", "generic:shop-42:cart-9f1").orElseThrow();
        assertThat(stored.eventType()).isEqualTo("checkout.started");
        assertThat(stored.email()).isEqualTo("li.wei@example.net");
        assertThat(stored.rawBody()).isEqualTo(body);
        assertThat(stored.canonicalJson().at("/checkout/total").asText()).isEqualTo("35.90");
        assertThat(stored.canonicalJson().get("occurredAt").asText()).isEqualTo("2026-11-20T12:00:00Z");
    }

    @Test
    void theFixtureReSignedWithTheSecretAtTheCurrentTimeIsAccepted() {
        String body = Fixtures.text("generic/checkout-started.json");
        // the fixture's own signature is correct; only its timestamp is old
        assertThat(sign("msg_2Kq1fixture", FIXTURE_TIMESTAMP, body))
                .isEqualTo(Fixtures.headers("generic/checkout-started.headers").get("webhook-signature"));
        assertAccepted(postSigned(hub(), "msg_2Kq1fixture", now(), body), "generic:shop-42:cart-9f1");
    }

    @Test
    void aWrongSignatureIsRefusedWith401() {
        String body = event("wrongsig-1");
        long now = now();
        assertProblem(hub().post(PATH, body, headers("wrongsig-1", now, sign("wrongsig-1", now, body + " "))), 401);
        assertProblem(hub().post(PATH, body, headers("wrongsig-1", now, sign("another-id", now, body))), 401);
        assertProblem(hub().post(PATH, body, headers("wrongsig-1", now, sign("wrongsig-1", now - 1, body))), 401);
        assertProblem(hub().post(PATH, body, headers("wrongsig-1", now, "v1,bm90IGEgc2lnbmF0dXJl")), 401);
        assertProblem(
                hub().post(
                                PATH,
                                body,
                                headers(
                                        "wrongsig-1",
                                        now,
                                        sign("wrongsig-1", now, body).replace("v1,", "v2,"))),
                401);
        Map<String, String> unsigned = headers("wrongsig-1", now, "x");
        unsigned.remove("webhook-signature");
        assertProblem(hub().post(PATH, body, unsigned), 401);
        assertThat(notices(hub(), "generic", "test-shop:wrongsig-1")).isZero();

        // key rotation: one matching signature among several is enough
        String rotated = "v1,bm90IGEgc2lnbmF0dXJl " + sign("rotated-1", now, event("rotated-1"));
        HttpResponse<String> accepted = hub().post(PATH, event("rotated-1"), headers("rotated-1", now, rotated));
        assertAccepted(accepted, "test-shop:rotated-1");
    }

    @Test
    void aTimestampMoreThanFiveMinutesOffIsRefused() {
        long now = Instant.now().getEpochSecond();
        hub().clock().pin(Instant.ofEpochSecond(now));
        assertProblem(postSigned(hub(), "old-1", now - 301, event("old-1")), 401);
        assertProblem(postSigned(hub(), "old-2", now - 3600, event("old-2")), 401);
        assertProblem(postSigned(hub(), "future-1", now + 301, event("future-1")), 401);
        assertThat(notices(hub(), "generic", "test-shop:old-1")).isZero();
        assertThat(notices(hub(), "generic", "test-shop:old-2")).isZero();
        assertThat(notices(hub(), "generic", "test-shop:future-1")).isZero();

        // exactly five minutes off, in both directions, is still inside the tolerance
        assertAccepted(postSigned(hub(), "recent-1", now - 300, event("recent-1")), "test-shop:recent-1");
        assertAccepted(postSigned(hub(), "soon-1", now + 300, event("soon-1")), "test-shop:soon-1");

        // the fixture's timestamp with the hub at its signing time plus 5 min 1 s
        hub().clock().pin(Instant.ofEpochSecond(FIXTURE_TIMESTAMP + 301));
        assertProblem(
                hub().post(
                                PATH,
                                Fixtures.text("generic/checkout-started.json"),
                                Fixtures.headers("generic/checkout-started.headers")),
                401);
    }

    @Test
    void anInvalidEventIsAnswered422NamingEveryBadField() {
        String body = """
                {"type": "checkout.bogus", "sourceEventId": "invalid-1",
                 "checkout": {"currency": "eur", "total": 12.5, "items": [{"quantity": 0}], "nested": true},
                 "customer": {"email": "not-an-email", "address": {"country": "Germany"}},
                 "consent": {"newsletter": "yes"},
                 "surprise": 1}""";
        JsonNode problem = assertProblem(postSigned(hub(), "invalid-1", now(), body), 422);
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(error -> {
            fields.add(error.get("field").asText());
            assertThat(error.get("message").asText()).isNotBlank();
        });
        assertThat(fields)
                .containsExactlyInAnyOrder(
                        "type",
                        "checkout.currency",
                        "checkout.total",
                        "checkout.items[0].quantity",
                        "checkout.nested",
                        "customer.email",
                        "customer.address.country",
                        "consent.newsletter",
                        "surprise");
        assertThat(problem.get("detail").asText()).startsWith("9 field(s)");
        assertThat(notices(hub(), "generic", "generic:invalid-1")).isZero();
        assertThat(hub().count("select count(*) from notice where source_event_id like '%invalid-1'"))
                .isZero();

        // checkout.started requires a customer email
        JsonNode noEmail = assertProblem(
                postSigned(
                        hub(),
                        "invalid-2",
                        now(),
                        "{\"type\": \"checkout.started\", \"sourceEventId\": \"invalid-2\", \"customer\": {}}"),
                422);
        assertThat(noEmail.get("errors").findValuesAsText("field")).containsExactly("customer.email");
    }

    @Test
    void unparsableJsonIsAnswered400() {
        assertProblem(postSigned(hub(), "broken-1", now(), "{\"type\": \"checkout.started\", "), 400);
        assertProblem(postSigned(hub(), "broken-2", now(), "[1, 2]"), 400);
        assertThat(hub().count("select count(*) from notice where source_event_id like '%broken-%'"))
                .isZero();
    }

    @Test
    void emptyStringsBecomeAbsentAndTheWebhookIdIsTheDefaultSourceEventId() {
        String body = """
                {"type": "checkout.started",
                 "checkout": {"id": "blank-1", "resumeUrl": "", "currency": "EUR", "total": "9.00"},
                 "customer": {"email": "blank-1@example.net", "firstName": "", "phone": "  "}}""";
        assertAccepted(postSigned(hub(), "msg_blank-1", now(), body), "generic:msg_blank-1");
        JsonNode canonical =
                notice(hub(), "generic", "generic:msg_blank-1").orElseThrow().canonicalJson();
        assertThat(canonical.get("checkout").has("resumeUrl")).isFalse();
        assertThat(canonical.get("customer").has("firstName")).isFalse();
        assertThat(canonical.get("customer").has("phone")).isFalse();
        assertThat(canonical.get("sourceEventId").asText()).isEqualTo("msg_blank-1");
    }
}
