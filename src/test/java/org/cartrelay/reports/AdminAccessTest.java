package org.cartrelay.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every admin route refuses a request without the admin's credentials: each {@code /api/**} endpoint the hub maps
 * (read from Spring's own mapping, so endpoints added later are covered too), the page and its files, the metrics.
 * API clients sign in with HTTP basic and get no session; a browser signs in on the login form, and its session
 * needs the CSRF token for every state-changing request. Intake stays open to its signed senders.
 */
class AdminAccessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = basic("ops", "s3cret-ops");

    @RegisterExtension
    static final SharedHub HUB = new SharedHub(hub -> hub.property("cartrelay.admin.username", "ops")
            .property("cartrelay.admin.password", "s3cret-ops")
            // this test sends many wrong passwords on purpose; LoginRateLimitTest covers the limit
            .property("cartrelay.admin.login-attempts-per-minute", "1000"));

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder request(String method, String path) {
        return HttpRequest.newBuilder(HUB.hub().uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
    }

    private record Route(String method, String path) {}

    /** Every mapped /api/** route, path variables filled with a dummy, with each of its methods. */
    private static List<Route> apiRoutes() {
        Set<Route> routes = new LinkedHashSet<>();
        List<RequestMappingInfo> infos = new ArrayList<>();
        for (HandlerMapping mapping : HUB.hub().bean(DispatcherServlet.class).getHandlerMappings()) {
            if (mapping instanceof RequestMappingInfoHandlerMapping withInfo) {
                infos.addAll(withInfo.getHandlerMethods().keySet());
            }
        }
        for (RequestMappingInfo info : infos) {
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                    continue;
                }
                String path = pattern.replaceAll("\\{[^}]*}", "x");
                if (methods.isEmpty()) {
                    routes.add(new Route("GET", path));
                }
                methods.forEach(method -> routes.add(new Route(method.name(), path)));
            }
        }
        return new ArrayList<>(routes);
    }

    @Test
    void everyApiRouteRefusesARequestWithoutCredentials() {
        List<Route> routes = apiRoutes();
        assertThat(routes)
                .extracting(Route::path)
                .contains(
                        "/api/carts",
                        "/api/carts.csv",
                        "/api/stats",
                        "/api/summary",
                        "/api/connectors",
                        "/api/connectors/x",
                        "/api/connectors/x/pause",
                        "/api/connectors/x/resume",
                        "/api/connectors/x/replay",
                        "/api/deliveries/x",
                        "/api/dead-letters",
                        "/api/dead-letters/x",
                        "/api/dead-letters/x/replay",
                        "/api/dead-letters/replay",
                        "/api/instances");
        for (Route route : routes) {
            // without a session nothing can ride on a browser's credentials: every method is asked to sign in
            HttpResponse<String> anonymous = TestHub.send(request(route.method(), route.path()));
            assertThat(anonymous.statusCode())
                    .as(route + " without credentials")
                    .isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .as(route.toString())
                    .hasValue("Basic realm=\"CartRelay\"");
            assertThat(anonymous.headers().allValues("Set-Cookie"))
                    .as(route.toString())
                    .isEmpty();
            assertThat(anonymous.body()).as(route.toString()).doesNotContain("@example.com");
            HttpResponse<String> wrong =
                    TestHub.send(request(route.method(), route.path()).header("Authorization", basic("ops", "guess")));
            assertThat(wrong.statusCode()).as(route + " with a wrong password").isEqualTo(401);
            HttpResponse<String> browser =
                    TestHub.send(request(route.method(), route.path()).header("Accept", "text/html"));
            assertThat(browser.statusCode()).as(route + " from a browser").isEqualTo(401);
        }
    }

    @Test
    void thePageAndItsFilesSendAnAnonymousBrowserToTheLoginForm() {
        for (String path : List.of("/admin", "/admin/", "/admin/index.html", "/admin/admin.js")) {
            HttpResponse<String> response = TestHub.send(request("GET", path).header("Accept", "text/html"));
            assertThat(response.statusCode()).as(path).isEqualTo(302);
            assertThat(response.headers().firstValue("Location").orElseThrow())
                    .as(path)
                    .endsWith("/admin/login.html");
            assertThat(response.body()).as(path).isEmpty();
        }
        HttpResponse<String> fetch =
                TestHub.send(request("GET", "/admin/index.html").header("X-Requested-With", "XMLHttpRequest"));
        assertThat(fetch.statusCode()).isEqualTo(401);
        assertThat(fetch.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(TestHub.send(request("GET", "/actuator/metrics")).statusCode())
                .isEqualTo(401);
    }

    @Test
    void theLoginFormItsFilesAndHealthAreOpen() {
        for (String path : List.of(
                "/admin/login.html", "/admin/login.js", "/admin/admin.css", "/admin/csrf", "/actuator/health")) {
            assertThat(TestHub.send(request("GET", path)).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void basicCredentialsOpenTheApiWithoutASessionOrCsrfToken() {
        HttpResponse<String> carts = TestHub.send(request("GET", "/api/carts").header("Authorization", AUTH));
        assertThat(carts.statusCode()).isEqualTo(200);
        assertThat(carts.headers().allValues("Set-Cookie")).isEmpty();
        HttpResponse<String> replay = TestHub.send(
                request("POST", "/api/dead-letters/dlv_none/replay").header("Authorization", AUTH));
        assertThat(replay.statusCode()).isEqualTo(404); // past security, into the API: no such dead letter
        assertThat(replay.headers().allValues("Set-Cookie")).isEmpty();
    }

    @Test
    void aForeignSitesRequestRidingOnCachedBasicCredentialsNeedsTheCsrfToken() {
        HttpResponse<String> forged = TestHub.send(request("POST", "/api/dead-letters/replay?connector=crm")
                .header("Authorization", AUTH)
                .header("Sec-Fetch-Site", "cross-site"));
        assertThat(forged.statusCode()).isEqualTo(403);
    }

    @Test
    void aBrowserSignsInOnTheFormAndItsSessionNeedsTheCsrfTokenToChangeAnything() throws Exception {
        HttpClient browser =
                HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        JsonNode csrf =
                JSON.readTree(browser.send(request("GET", "/admin/csrf").build(), HttpResponse.BodyHandlers.ofString())
                        .body());

        HttpResponse<String> withoutToken = browser.send(
                form("/admin/login", "username=ops&password=s3cret-ops"), HttpResponse.BodyHandlers.ofString());
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        HttpResponse<String> wrongPassword = browser.send(
                form(
                        "/admin/login",
                        "username=ops&password=guess&"
                                + csrf.get("parameterName").asText() + "="
                                + encode(csrf.get("token").asText())),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongPassword.statusCode()).isEqualTo(302);
        assertThat(wrongPassword.headers().firstValue("Location").orElseThrow()).endsWith("/admin/login.html?error");
        assertThat(browser.send(
                                request("GET", "/api/carts")
                                        .header("X-Requested-With", "XMLHttpRequest")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);

        csrf = JSON.readTree(browser.send(request("GET", "/admin/csrf").build(), HttpResponse.BodyHandlers.ofString())
                .body());
        HttpResponse<String> login = browser.send(
                form(
                        "/admin/login",
                        "username=ops&password=s3cret-ops&"
                                + csrf.get("parameterName").asText() + "="
                                + encode(csrf.get("token").asText())),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/admin/");
        String cookie = login.headers().allValues("Set-Cookie").stream()
                .filter(value -> value.startsWith("JSESSIONID="))
                .findFirst()
                .orElseThrow();
        assertThat(cookie).contains("JSESSIONID=", "HttpOnly", "SameSite=Lax");

        assertThat(browser.send(
                                request("GET", "/api/carts")
                                        .header("X-Requested-With", "XMLHttpRequest")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> page =
                browser.send(request("GET", "/admin/").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>CartRelay admin</title>");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'");

        HttpResponse<String> forged = browser.send(
                request("POST", "/api/dead-letters/dlv_none/replay").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        JsonNode token =
                JSON.readTree(browser.send(request("GET", "/admin/csrf").build(), HttpResponse.BodyHandlers.ofString())
                        .body());
        HttpResponse<String> replay = browser.send(
                request("POST", "/api/dead-letters/dlv_none/replay")
                        .header(
                                token.get("headerName").asText(),
                                token.get("token").asText())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(404);

        HttpResponse<String> logout = browser.send(
                form(
                        "/admin/logout",
                        token.get("parameterName").asText() + "="
                                + encode(token.get("token").asText())),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(browser.send(
                                request("GET", "/api/carts")
                                        .header("X-Requested-With", "XMLHttpRequest")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void intakeStaysOpenWithoutCsrfTokens() {
        HttpResponse<String> notice =
                Notices.post(HUB.hub(), "open-1", Notices.checkoutStarted("open-1", "open@example.com", "9.00"));
        assertThat(notice.statusCode()).isEqualTo(202);
    }

    private static HttpRequest form(String path, String body) {
        return HttpRequest.newBuilder(HUB.hub().uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
