package org.cartrelay.testing;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.cartrelay.support.StandardWebhooks;

/** Signed generic notices, one distinct checkout each, for tests that need many deliveries. */
public final class Notices {

    private Notices() {}

    public static String checkoutStarted(String key, String email, String total) {
        return """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "%s",
                              "items": [{"productId": "p-1", "name": "Tea", "quantity": 1, "unitPrice": "%s"}]},
                 "customer": {"email": "%s", "firstName": "Test", "address": {"country": "DE"}},
                 "consent": {"newsletter": true}}
                """.formatted(key, key, total, total, email);
    }

    /** Posts a signed canonical event to /events, signed with the fixture secret at the hub's current time. */
    public static HttpResponse<String> post(TestHub hub, String id, String json) {
        return post(hub, id, json, Map.of());
    }

    /** The same, with more headers (a {@code traceparent}, say). */
    public static HttpResponse<String> post(TestHub hub, String id, String json, Map<String, String> more) {
        Map<String, String> headers = new LinkedHashMap<>(
                signedHeaders(id, json, hub.clock().instant().getEpochSecond()));
        headers.putAll(more);
        return hub.post("/events", json, headers);
    }

    /** The same, to a hub running in another process. */
    public static HttpResponse<String> post(URI hub, String id, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.resolve("/events"))
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        signedHeaders(id, json, Instant.now().getEpochSecond()).forEach(request::header);
        return TestHub.send(request);
    }

    private static Map<String, String> signedHeaders(String id, String json, long timestamp) {
        String signature = StandardWebhooks.withSecret(Fixtures.GENERIC_SECRET)
                .sign(id, timestamp, json.getBytes(StandardCharsets.UTF_8));
        return Map.of(
                "Content-Type",
                "application/json",
                "webhook-id",
                id,
                "webhook-timestamp",
                Long.toString(timestamp),
                "webhook-signature",
                signature);
    }

    /** Posts {@code count} distinct started checkouts and fails unless each is accepted. */
    public static void startCheckouts(TestHub hub, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String key = prefix + "-" + i;
            HttpResponse<String> response =
                    post(hub, "msg-" + key, checkoutStarted(key, key + "@example.com", "49.00"));
            if (response.statusCode() != 202) {
                throw new AssertionError(
                        "Notice " + key + " was not accepted: " + response.statusCode() + " " + response.body());
            }
        }
    }
}
