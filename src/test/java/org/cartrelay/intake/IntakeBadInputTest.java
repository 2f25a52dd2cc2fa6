package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.json;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.RawHttp;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bad input at every intake is a documented 4xx with an {@code application/problem+json} body, or, where the source
 * retries anything but 2xx, the source's own "stored as rejected" answer; never a 5xx, and it changes nothing that
 * was already kept.
 */
class IntakeBadInputTest {

    private static final String WOO = "/webhooks/woocommerce";
    private static final String TOKEN = "woo-test-token";

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    /** Everything the hub has kept, as one text: a refusal must leave it as it was. */
    static String stored(TestHub hub) {
        return hub.jdbc().sql("select id, source, source_event_id, outcome, reason, canonical from notice order by id")
                .query((rs, row) -> String.join("|", rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), String.valueOf(rs.getString(5)), String.valueOf(rs.getString(6))))
                .list().toString()
                + hub.jdbc().sql("select id, status, checkout_ref, email, product_ref from checkout order by id")
                .query((rs, row) -> rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                        + rs.getString(4) + "|" + rs.getString(5))
                .list();
    }

    static JsonNode assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as(response.body()).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        return problem;
    }

    private static HttpResponse<String> wooWithHeader(String body) {
        return TestHub.send(HttpRequest.newBuilder(hub().uri(WOO))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-CartRelay-Token", TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aMalformedPercentEscapeIsA400ProblemBeforeAnySignatureAndNothingIsKept() {
        String before = stored(hub());
        String ds24 = Fixtures.form("digistore24/order-form-entry.form");
        for (String broken : List.of(ds24.replace("amount=197.00", "amount=%zz"), ds24 + "&x=%", ds24 + "&%G1=1",
                ds24.replace("email=jane.doe%40", "email=jane.doe%4%40"))) {
            JsonNode problem = assertProblem(hub().postForm("/ipn/digistore24", broken), 400);
            assertThat(problem.get("detail").asText()).contains("percent-escape").doesNotContain("%zz");
        }
        String woo = Fixtures.form("woocommerce/abandoned.form").replace("wcf_ac_token%3Dabc123",
                "wcf_ac_token%3Dmalformed1");
        assertProblem(hub().postForm(WOO + "?token=" + TOKEN, woo + "&cart_total=%E"), 400);
        assertProblem(wooWithHeader(woo.replace("first_name=Ana", "first_name=%%41na")), 400);
        // the token cannot be read from a malformed query: refused before the token is compared
        RawHttp.Response raw = RawHttp.post(hub().port(), WOO + "?token=" + TOKEN + "&x=%zz",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), woo.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        assertThat(raw.status()).as(raw.body()).isEqualTo(400);
        assertThat(raw.header("Content-Type")).startsWith("application/problem+json");
        assertThat(json(raw.body()).get("detail").asText()).contains("percent-escape");
        assertThat(stored(hub())).isEqualTo(before);
    }

    @Test
    void signatureAndTokenRefusalsAreProblemsToo() {
        assertProblem(hub().postForm("/ipn/digistore24", Fixtures.form("digistore24/bad-signature.form")), 403);
        assertProblem(hub().post("/webhooks/shopify", Fixtures.text("shopify/checkouts-create.json"),
                Map.of("Content-Type", "application/json", "X-Shopify-Topic", "checkouts/create",
                        "X-Shopify-Hmac-Sha256", "bm9wZQ==")), 401);
        assertProblem(hub().postForm(WOO + "?token=nope", Fixtures.form("woocommerce/abandoned.form")), 401);
        assertProblem(hub().post("/events", "{}", Map.of("Content-Type", "application/json")), 401);
    }
}
