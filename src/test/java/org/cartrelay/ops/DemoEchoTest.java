package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The demo receiver and its connector exist only with {@code cartrelay.demo.enabled=true}; what it received holds
 * buyers' data, so listing it needs the admin's credentials, and it keeps only what the demo connector signed.
 */
class DemoEchoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = "Basic " + Base64.getEncoder()
            .encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    private static TestHub.Builder hub(TestDatabase database) {
        return TestHub.on(database)
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .property("cartrelay.demo.secret", "whsec_ZGVtby1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u")
                .property("cartrelay.abandonment.delay", "0s");
    }

    private static HttpResponse<String> get(TestHub hub, String path, String auth) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(path)).GET();
        if (auth != null) {
            request.header("Authorization", auth);
        }
        return TestHub.send(request);
    }

    @Test
    void offByDefaultWithoutItsConnector() {
        try (TestDatabase database = TestDatabase.create(); TestHub hub = hub(database).start()) {
            assertThat(hub.bean(ConnectorRegistry.class).get("demo-echo")).isEmpty();
            assertThat(get(hub, "/demo/echo", AUTH).statusCode()).isEqualTo(404);
            assertThat(hub.post("/demo/echo", "{}", Map.of("Content-Type", "application/json"))
                    .statusCode()).isEqualTo(404);
        }
    }

    @Test
    void enabledItReceivesTheDemoConnectorsEventsAndListsThemOnlyToTheAdmin() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = hub(database).property("cartrelay.demo.enabled", "true")
                        .property("server.port", port).start()) {
            assertThat(hub.bean(ConnectorRegistry.class).get("demo-echo")).isPresent();

            HttpResponse<String> anonymous = get(hub, "/demo/echo", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    challenge -> assertThat(challenge).startsWith("Basic"));
            assertThat(anonymous.body()).doesNotContain("@");

            HttpResponse<String> unsigned = hub.post("/demo/echo", "{\"forged\": true}",
                    Map.of("Content-Type", "application/json", "webhook-id", "msg_forged",
                            "webhook-timestamp", "1", "webhook-signature", "v1,AAAA"));
            assertThat(unsigned.statusCode()).isEqualTo(401);

            Notices.post(hub, "demo-1", Notices.checkoutStarted("demo-1", "demo-buyer@example.com", "19.00"));
            JsonNode listed = await().atMost(Duration.ofSeconds(20)).until(
                    () -> JSON.readTree(get(hub, "/demo/echo", AUTH).body()), list -> list.size() == 1);
            JsonNode arrival = listed.get(0);
            assertThat(arrival.get("webhookId").asText()).startsWith("evt_");
            JsonNode event = JSON.readTree(arrival.get("body").asText());
            assertThat(event.get("type").asText()).isEqualTo("checkout.abandoned");
            assertThat(event.get("id").asText()).isEqualTo(arrival.get("webhookId").asText());
            assertThat(listed.toString()).doesNotContain("forged");
        }
    }
}
