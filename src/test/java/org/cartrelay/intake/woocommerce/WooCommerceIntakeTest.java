package org.cartrelay.intake.woocommerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.notice;
import static org.cartrelay.intake.IntakeTestSupport.notices;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.cartrelay.intake.IntakeTestSupport.StoredNotice;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /webhooks/woocommerce}: a shared token in the query or X-CartRelay-Token. */
class WooCommerceIntakeTest {

    private static final String PATH = "/webhooks/woocommerce";
    private static final String TOKEN = "woo-test-token";

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.sources.woocommerce.token", TOKEN));

    private static TestHub hub() {
        return SHARED.hub();
    }

    /** The fixture with its cart token replaced, so each test has its own notice. */
    private static String form(String cartToken) {
        return Fixtures.form("woocommerce/abandoned.form")
                .replace("wcf_ac_token%3Dabc123", "wcf_ac_token%3D" + cartToken);
    }

    private static HttpResponse<String> postWithHeader(String body, String token) {
        return TestHub.send(HttpRequest.newBuilder(hub().uri(PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-CartRelay-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void theFixtureIsAcceptedWithTheRightTokenInTheQuery() {
        String body = Fixtures.form("woocommerce/abandoned.form");
        HttpResponse<String> response = hub().postForm(PATH + "?token=" + TOKEN, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        StoredNotice stored = notice(hub(), "woocommerce", "abandoned:abc123").orElseThrow();
        assertThat(stored.outcome()).isEqualTo("processed");
        assertThat(stored.eventType()).isEqualTo("checkout.started");
        assertThat(stored.email()).isEqualTo("ana.silva@example.com");
        assertThat(stored.rawBody()).isEqualTo(body);
        assertThat(stored.canonicalJson().at("/checkout/total").asText()).isEqualTo("149.00");
        assertThat(stored.canonicalJson().at("/customer/address/country").asText())
                .isEqualTo("US");
        // coupon_code= and shipping_address= were empty: absent
        assertThat(stored.canonicalJson().path("attributes").has("coupon_code")).isFalse();
        assertThat(hub().count("select count(*) from checkout where source = 'woocommerce' and checkout_ref = 'abc123'"
                        + " and status = 'pending'"))
                .isEqualTo(1);
    }

    @Test
    void theRightTokenInTheHeaderIsAcceptedToo() {
        HttpResponse<String> response = postWithHeader(form("hdr1"), TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(notice(hub(), "woocommerce", "abandoned:hdr1").orElseThrow().outcome())
                .isEqualTo("processed");
    }

    @Test
    void aWrongOrMissingTokenIsRefusedAndNothingIsStored() {
        assertThat(hub().postForm(PATH + "?token=woo-test-tokem", form("wrong1"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(hub().postForm(PATH + "?token=" + TOKEN + "x", form("wrong2"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(hub().postForm(PATH, form("wrong3")).statusCode()).isEqualTo(401);
        assertThat(postWithHeader(form("wrong4"), "nope").statusCode()).isEqualTo(401);
        // a token in the form body is not a token
        assertThat(hub().postForm(PATH, form("wrong5") + "&token=" + TOKEN).statusCode())
                .isEqualTo(401);
        for (String token : new String[] {"wrong1", "wrong2", "wrong3", "wrong4", "wrong5"}) {
            assertThat(notices(hub(), "woocommerce", "abandoned:" + token))
                    .as(token)
                    .isZero();
        }
    }

    @Test
    void aCompletedOrderConvertsTheAbandonedCart() {
        assertThat(hub().postForm(PATH + "?token=" + TOKEN, form("conv1")).statusCode())
                .isEqualTo(200);
        String completed = form("conv1").replace("order_status=abandoned", "order_status=completed");
        assertThat(hub().postForm(PATH + "?token=" + TOKEN, completed).statusCode())
                .isEqualTo(200);
        assertThat(notice(hub(), "woocommerce", "completed:conv1").orElseThrow().eventType())
                .isEqualTo("order.completed");
        assertThat(hub().jdbc()
                        .sql("select status from checkout where source = 'woocommerce' and checkout_ref = 'conv1'")
                        .query(String.class)
                        .single())
                .isEqualTo("converted");
    }
}
