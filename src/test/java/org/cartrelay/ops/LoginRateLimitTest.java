package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.cartrelay.testing.SharedHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Sign-in attempts are limited per client address, 10 a minute: the 11th wrong password (basic or the login form)
 * gets 429 with {@code Retry-After}, and so does a right one from there, while another address signs in as usual.
 * The hub trusts no forwarding header, so the other addresses are real ones: each test speaks HTTP from its own
 * loopback address (127.0.0.0/8 all reach the hub on Linux).
 */
class LoginRateLimitTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SharedHub HUB = new SharedHub(
            hub -> hub.property("cartrelay.admin.username", "ops").property("cartrelay.admin.password", "s3cret-ops"));

    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One HTTP/1.0 request (so the answer is not chunked) from {@code from}, on a connection of its own. */
    private static Answer send(String from, String method, String path, Map<String, String> headers, String body) {
        try (Socket socket =
                new Socket(InetAddress.getByName("127.0.0.1"), HUB.hub().port(), InetAddress.getByName(from), 0)) {
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\nContent-Length: " + content.length + "\r\n");
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            String answer = read(socket.getInputStream());
            int end = answer.indexOf("\r\n\r\n");
            String[] lines = answer.substring(0, end).split("\r\n");
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answerHeaders.merge(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + "\n" + b);
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), answerHeaders, answer.substring(end + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }

    private static Answer api(String from, String password) {
        String auth =
                "Basic " + Base64.getEncoder().encodeToString(("ops:" + password).getBytes(StandardCharsets.UTF_8));
        return send(from, "GET", "/api/carts", Map.of("Authorization", auth), null);
    }

    private static void assertRefused(Answer answer) {
        assertThat(answer.status()).isEqualTo(429);
        assertThat(Long.parseLong(answer.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(answer.header("Set-Cookie")).isNull();
    }

    @Test
    void theEleventhWrongBasicPasswordInAMinuteIsRefusedAndAnotherAddressIsNot() {
        String guesser = "127.0.0.11";
        for (int i = 1; i <= 10; i++) {
            assertThat(api(guesser, "guess-" + i).status()).as("attempt " + i).isEqualTo(401);
        }
        assertRefused(api(guesser, "guess-11"));
        assertRefused(api(guesser, "s3cret-ops"));
        // the same address can still read what needs no sign-in
        assertThat(send(guesser, "GET", "/actuator/health", Map.of(), null).status())
                .isEqualTo(200);

        String other = "127.0.0.12";
        assertThat(api(other, "s3cret-ops").status()).isEqualTo(200);
        assertThat(api(other, "guess").status()).isEqualTo(401);
    }

    @Test
    void rightBasicCredentialsTakeNothingFromTheAllowance() {
        String client = "127.0.0.13";
        for (int i = 0; i < 30; i++) {
            assertThat(api(client, "s3cret-ops").status()).isEqualTo(200);
        }
        assertThat(api(client, "guess").status()).isEqualTo(401);
    }

    @Test
    void theEleventhLoginFormPostInAMinuteIsRefused() throws Exception {
        String browser = "127.0.0.14";
        Answer csrf = send(browser, "GET", "/admin/csrf", Map.of(), null);
        String cookie = csrf.header("Set-Cookie").split(";", 2)[0];
        JsonNode token = JSON.readTree(csrf.body());
        Map<String, String> headers = Map.of("Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded");
        String field = "&" + token.get("parameterName").asText() + "="
                + URLEncoder.encode(token.get("token").asText(), StandardCharsets.UTF_8);
        for (int i = 1; i <= 10; i++) {
            Answer failed = send(browser, "POST", "/admin/login", headers, "username=ops&password=guess-" + i + field);
            assertThat(failed.status()).as("attempt " + i).isEqualTo(302);
            assertThat(failed.header("Location")).endsWith("/admin/login.html?error");
        }
        assertRefused(send(browser, "POST", "/admin/login", headers, "username=ops&password=s3cret-ops" + field));
        // basic credentials from that address are held back too
        assertRefused(api(browser, "s3cret-ops"));

        String other = "127.0.0.15";
        Answer otherCsrf = send(other, "GET", "/admin/csrf", Map.of(), null);
        JsonNode otherToken = JSON.readTree(otherCsrf.body());
        Answer login = send(
                other,
                "POST",
                "/admin/login",
                Map.of(
                        "Cookie",
                        otherCsrf.header("Set-Cookie").split(";", 2)[0],
                        "Content-Type",
                        "application/x-www-form-urlencoded"),
                "username=ops&password=s3cret-ops&"
                        + otherToken.get("parameterName").asText() + "="
                        + URLEncoder.encode(otherToken.get("token").asText(), StandardCharsets.UTF_8));
        assertThat(login.status()).isEqualTo(302);
        assertThat(login.header("Location")).endsWith("/admin/");
    }
}
