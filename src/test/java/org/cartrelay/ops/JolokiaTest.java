package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Hawtio's way in, over Jolokia's HTTP API at {@code /actuator/jolokia} of a real hub with JMX on: with the admin's
 * credentials a connector's pause() and resume() act on the connector and its {@code Paused} attribute says so,
 * Camel's routes are listed and dumped; without credentials the request is refused with 401. The admin page's
 * session may call it with its CSRF token, and a foreign site's request (cached basic credentials) is refused. The access policy lets
 * through only the hub's and Camel's MBeans and the JVM's figures: no heap dump, no message sent through Camel, no
 * operation by GET. Without {@code management.endpoint.jolokia.access} there is no such path.
 */
class JolokiaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));
    private static final String PAUSE =
            "{\"type\":\"exec\",\"mbean\":\"cartrelay:type=Connector,name=crm\",\"operation\":\"pause\"}";
    private static final String RESUME =
            "{\"type\":\"exec\",\"mbean\":\"cartrelay:type=Connector,name=crm\",\"operation\":\"resume\"}";
    private static final String READ_PAUSED =
            "{\"type\":\"read\",\"mbean\":\"cartrelay:type=Connector,name=crm\",\"attribute\":\"Paused\"}";

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock ->
            wireMock.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200))));

    private TestHub.Builder hub() {
        return TestHub.on(receiver.database())
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .property("camel.main.jmx-enabled", "true")
                .property("spring.jmx.enabled", "true")
                .connector("crm", receiver.webhook("/ok"));
    }

    private static HttpResponse<String> jolokia(TestHub hub, String body, boolean credentials) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri("/actuator/jolokia"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (credentials) {
            request.header("Authorization", AUTH);
        }
        return TestHub.send(request);
    }

    /** A request made with the admin's credentials: the HTTP answer is 200, the JSON's status is Jolokia's own. */
    private static JsonNode call(TestHub hub, String body) throws Exception {
        HttpResponse<String> response = jolokia(hub, body, true);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void theAdminPausesAndResumesAConnectorOverJolokia() throws Exception {
        try (TestHub hub = hub().property("management.endpoint.jolokia.access", "unrestricted")
                .start()) {
            ConnectorRuntime crm = hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();

            HttpResponse<String> anonymous = jolokia(hub, PAUSE, false);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"CartRelay\"");
            assertThat(crm.paused()).isFalse();

            JsonNode paused = call(hub, PAUSE);
            assertThat(paused.get("status").asInt()).as(paused.toString()).isEqualTo(200);
            assertThat(crm.paused()).isTrue();
            assertThat(call(hub, READ_PAUSED).get("value").asBoolean()).isTrue();

            JsonNode resumed = call(hub, RESUME);
            assertThat(resumed.get("status").asInt()).as(resumed.toString()).isEqualTo(200);
            assertThat(crm.paused()).isFalse();
            assertThat(call(hub, READ_PAUSED).get("value").asBoolean()).isFalse();
        }
    }

    @Test
    void theAdminPagesSessionNeedsItsCsrfTokenAndAForeignSiteIsRefused() throws Exception {
        try (TestHub hub = hub().property("management.endpoint.jolokia.access", "unrestricted")
                .start()) {
            ConnectorRuntime crm = hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();

            // a browser that cached the admin's basic credentials, on another site's page
            HttpResponse<String> crossSite = TestHub.send(HttpRequest.newBuilder(hub.uri("/actuator/jolokia"))
                    .header("Authorization", AUTH)
                    .header("Sec-Fetch-Site", "cross-site")
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(PAUSE)));
            assertThat(crossSite.statusCode()).isEqualTo(403);
            assertThat(crm.paused()).isFalse();

            HttpClient browser =
                    HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            JsonNode csrf = JSON.readTree(browser.send(
                            HttpRequest.newBuilder(hub.uri("/admin/csrf")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            HttpResponse<String> login = browser.send(
                    HttpRequest.newBuilder(hub.uri("/admin/login"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("Accept", "text/html")
                            .POST(HttpRequest.BodyPublishers.ofString("username=ops&password=s3cret-ops&"
                                    + csrf.get("parameterName").asText() + "="
                                    + URLEncoder.encode(csrf.get("token").asText(), StandardCharsets.UTF_8)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(302);
            assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/admin/");

            HttpRequest.Builder pause = HttpRequest.newBuilder(hub.uri("/actuator/jolokia"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(PAUSE));
            assertThat(browser.send(pause.build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(403);
            assertThat(crm.paused()).isFalse();

            JsonNode fresh = JSON.readTree(browser.send(
                            HttpRequest.newBuilder(hub.uri("/admin/csrf")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            HttpResponse<String> withToken = browser.send(
                    pause.header(
                                    fresh.get("headerName").asText(),
                                    fresh.get("token").asText())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
            assertThat(JSON.readTree(withToken.body()).get("status").asInt()).isEqualTo(200);
            assertThat(crm.paused()).isTrue();
        }
    }

    @Test
    void hawtioSeesTheRoutesAndTheJvmButCannotRunAnythingElse(@TempDir Path dir) throws Exception {
        try (TestHub hub = hub().property("management.endpoint.jolokia.access", "unrestricted")
                .start()) {
            ConnectorRuntime crm = hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();

            JsonNode routes = call(hub, "{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=routes,*\"}");
            assertThat(routes.get("value").toString()).contains("deliver-webhook-crm");
            JsonNode context = call(hub, "{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=context,*\"}");
            String contextName = context.get("value").get(0).asText();
            JsonNode dump = call(
                    hub,
                    JSON.createObjectNode()
                            .put("type", "exec")
                            .put("mbean", contextName)
                            .put("operation", "dumpRoutesAsXml()")
                            .toString());
            assertThat(dump.get("status").asInt()).as(dump.toString()).isEqualTo(200);
            assertThat(dump.get("value").asText()).contains("deliver-webhook-crm");
            JsonNode heap = call(
                    hub, "{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"}");
            assertThat(heap.get("value").get("used").asLong()).isPositive();

            Path heapDump = dir.resolve("heap.hprof");
            JsonNode dumpHeap = call(
                    hub,
                    JSON.createObjectNode()
                            .put("type", "exec")
                            .put("mbean", "com.sun.management:type=HotSpotDiagnostic")
                            .put("operation", "dumpHeap")
                            .set(
                                    "arguments",
                                    JSON.createArrayNode()
                                            .add(heapDump.toString())
                                            .add(true))
                            .toString());
            assertThat(dumpHeap.get("status").asInt()).as(dumpHeap.toString()).isEqualTo(403);
            assertThat(Files.exists(heapDump)).isFalse();

            JsonNode send = call(
                    hub,
                    JSON.createObjectNode()
                            .put("type", "exec")
                            .put("mbean", contextName)
                            .put("operation", "sendStringBody(java.lang.String,java.lang.String)")
                            .set(
                                    "arguments",
                                    JSON.createArrayNode().add("log:jolokia").add("hello"))
                            .toString());
            assertThat(send.get("status").asInt()).as(send.toString()).isEqualTo(403);

            JsonNode gc = call(hub, "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}");
            assertThat(gc.get("status").asInt()).as(gc.toString()).isEqualTo(403);
            JsonNode options = call(
                    hub,
                    "{\"type\":\"read\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\","
                            + "\"attribute\":\"DiagnosticOptions\"}");
            assertThat(options.get("status").asInt()).as(options.toString()).isEqualTo(403);

            // an operation by GET could ride on a link from another site
            HttpResponse<String> byGet = TestHub.send(
                    HttpRequest.newBuilder(hub.uri("/actuator/jolokia/exec/cartrelay:type=Connector,name=crm/pause"))
                            .header("Authorization", AUTH)
                            .GET());
            assertThat(JSON.readTree(byGet.body()).get("status").asInt())
                    .as(byGet.body())
                    .isEqualTo(403);
            assertThat(crm.paused()).isFalse();
        }
    }

    @Test
    void withoutItsSwitchTheHubHasNoJolokia() {
        try (TestHub hub = hub().start()) {
            HttpResponse<String> response = jolokia(hub, PAUSE, true);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
            assertThat(jolokia(hub, PAUSE, false).statusCode()).isEqualTo(401);
            assertThat(hub.bean(ConnectorRuntimes.class)
                            .get("crm")
                            .orElseThrow()
                            .paused())
                    .isFalse();
        }
    }
}
