package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Anonymous visitors get no server session: not from the login page, its CSRF token ({@code /admin/csrf}, kept in a
 * cookie instead), a refused API call, a redirect to the login form or a failed sign-in; only signing in makes one.
 * An API call without valid credentials answers 401 with a basic challenge, whatever its method.
 */
class AdminSessionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SharedHub HUB = new SharedHub(hub -> hub.property("cartrelay.admin.username", "ops")
            .property("cartrelay.admin.password", "s3cret-ops")
            // this test sends many wrong passwords on purpose; LoginRateLimitTest covers the limit
            .property("cartrelay.admin.login-attempts-per-minute", "1000"));

    private static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("ops:" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder request(String method, String path) {
        return HttpRequest.newBuilder(HUB.hub().uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
    }

    @Test
    void anonymousCallsGetNoCookieAndMakeNoSession() {
        List<HttpRequest.Builder> calls = List.of(
                request("GET", "/admin/login.html"),
                request("GET", "/admin/login.js"),
                request("GET", "/admin/admin.css"),
                request("GET", "/api/carts"),
                request("GET", "/api/carts").header("Accept", "text/html"),
                request("GET", "/api/carts").header("X-Requested-With", "XMLHttpRequest"),
                request("POST", "/api/dead-letters/replay?connector=crm"),
                request("DELETE", "/api/customers?email=a@example.com"),
                request("GET", "/api/carts").header("Authorization", basic("guess")),
                request("GET", "/admin/").header("Accept", "text/html"),
                request("GET", "/admin/index.html"),
                request("GET", "/actuator/metrics"),
                request("GET", "/actuator/health"));
        for (int round = 0; round < 3; round++) {
            for (HttpRequest.Builder call : calls) {
                HttpResponse<String> response = TestHub.send(call.copy());
                assertThat(response.headers().allValues("Set-Cookie"))
                        .as(response.request().toString())
                        .isEmpty();
            }
        }
        assertThat(HUB.hub().activeSessions()).isZero();
    }

    @Test
    void theCsrfTokenOfTheLoginFormLivesInACookieNotInASession() throws Exception {
        for (int i = 0; i < 25; i++) {
            HttpResponse<String> csrf = TestHub.send(request("GET", "/admin/csrf"));
            assertThat(csrf.statusCode()).isEqualTo(200);
            List<String> cookies = csrf.headers().allValues("Set-Cookie");
            assertThat(cookies).hasSize(1);
            assertThat(cookies.get(0))
                    .startsWith("XSRF-TOKEN=")
                    .contains("HttpOnly", "SameSite=Strict", "Path=/")
                    .doesNotContain("JSESSIONID");
            JsonNode token = JSON.readTree(csrf.body());
            assertThat(token.get("headerName").asText()).isEqualTo("X-CSRF-TOKEN");
            assertThat(token.get("parameterName").asText()).isEqualTo("_csrf");
        }
        assertThat(HUB.hub().activeSessions()).isZero();
    }

    @Test
    void anApiCallWithoutValidCredentialsGets401WithABasicChallenge() {
        for (String method : List.of("GET", "POST", "DELETE")) {
            String path = method.equals("GET")
                    ? "/api/carts"
                    : method.equals("POST")
                            ? "/api/dead-letters/replay?connector=crm"
                            : "/api/customers?email=a@example.com";
            for (String auth : new String[] {null, basic("guess"), "Basic bm90LWJhc2U2NA==", "Bearer x"}) {
                HttpRequest.Builder call = request(method, path);
                if (auth != null) {
                    call.header("Authorization", auth);
                }
                HttpResponse<String> response = TestHub.send(call);
                assertThat(response.statusCode())
                        .as(method + " " + path + " with " + auth)
                        .isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate"))
                        .as(method + " " + path + " with " + auth)
                        .hasValue("Basic realm=\"CartRelay\"");
            }
        }
        assertThat(TestHub.send(request("GET", "/api/carts").header("Authorization", basic("s3cret-ops")))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aBrowserIsSentToTheLoginFormAndOnlySigningInStartsASession() throws Exception {
        HttpResponse<String> page = TestHub.send(request("GET", "/admin/").header("Accept", "text/html"));
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/admin/login.html");

        HttpClient browser =
                HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        JsonNode csrf =
                JSON.readTree(browser.send(request("GET", "/admin/csrf").build(), HttpResponse.BodyHandlers.ofString())
                        .body());
        String token = "&" + csrf.get("parameterName").asText() + "="
                + URLEncoder.encode(csrf.get("token").asText(), StandardCharsets.UTF_8);
        HttpResponse<String> failed =
                browser.send(form("username=ops&password=guess" + token), HttpResponse.BodyHandlers.ofString());
        assertThat(failed.statusCode()).isEqualTo(302);
        assertThat(failed.headers().firstValue("Location").orElseThrow()).endsWith("/admin/login.html?error");
        assertThat(failed.headers().allValues("Set-Cookie")).noneMatch(cookie -> cookie.startsWith("JSESSIONID"));
        assertThat(HUB.hub().activeSessions()).isZero();

        HttpResponse<String> login =
                browser.send(form("username=ops&password=s3cret-ops" + token), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElseThrow()).endsWith("/admin/");
        assertThat(login.headers().allValues("Set-Cookie")).anyMatch(cookie -> cookie.startsWith("JSESSIONID="));
        assertThat(HUB.hub().activeSessions()).isEqualTo(1);

        // the page reads the token anew after signing in; the session's POSTs need it
        assertThat(browser.send(
                                request("POST", "/api/dead-letters/dlv_none/replay")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(403);
        JsonNode fresh =
                JSON.readTree(browser.send(request("GET", "/admin/csrf").build(), HttpResponse.BodyHandlers.ofString())
                        .body());
        assertThat(browser.send(
                                request("POST", "/api/dead-letters/dlv_none/replay")
                                        .header(
                                                fresh.get("headerName").asText(),
                                                fresh.get("token").asText())
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(404);
        HttpResponse<String> logout = browser.send(
                HttpRequest.newBuilder(HUB.hub().uri("/admin/logout"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Accept", "text/html")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                fresh.get("parameterName").asText() + "="
                                        + URLEncoder.encode(fresh.get("token").asText(), StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(HUB.hub().activeSessions()).isZero();
    }

    private static HttpRequest form(String body) {
        return HttpRequest.newBuilder(HUB.hub().uri("/admin/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
