package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.cartrelay.intake.generic.GenericIntakeTest;
import org.cartrelay.testing.Digistore24Forms;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.RawHttp;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A sender cannot write lines into the hub's log, nor make it echo a token or a malformed address. */
@ExtendWith(OutputCaptureExtension.class)
class LogSafetyTest {

    private static final String FORGED = "2026-12-04T10:00:00.000Z  INFO 1 --- [main] o.c.Forged : admin logged in";

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    /** No captured line starts with the forged text: it stayed inside the line that logged it. */
    private static void assertNoForgedLine(CapturedOutput output) {
        assertThat(output.getAll().lines()).noneMatch(line -> line.startsWith("2026-12-04T10:00:00.000Z"));
    }

    @Test
    void crAndLfInSenderValuesAreEscapedInTheLog(CapturedOutput output) {
        String ds24 = Digistore24Forms.from(
                "digistore24/order-form-entry.form", Map.of("order_id", "LOG-1", "event", "order_form\r\n" + FORGED));
        assertThat(hub().postForm("/ipn/digistore24", ds24).statusCode()).isEqualTo(200);

        String woo = Fixtures.form("woocommerce/abandoned.form")
                .replace(
                        "order_status=abandoned",
                        "order_status=lost%0D%0A" + FORGED.replace(" ", "+").replace(":", "%3A"));
        assertThat(hub().postForm("/webhooks/woocommerce?token=woo-test-token", woo)
                        .statusCode())
                .isEqualTo(200);

        String generic = """
                {"type": "checkout.started", "source": "shop\\r\\n%s", "sourceEventId": "log-3",
                 "customer": {"email": "log3@example.net"}}""".formatted(FORGED.substring(0, 40));
        long now = hub().clock().instant().getEpochSecond();
        assertThat(GenericIntakeTest.postSigned(hub(), "log-3", now, generic).statusCode())
                .isEqualTo(202);

        assertNoForgedLine(output);
        assertThat(output.getAll())
                .contains("Digistore24 order_form\\r\\n2026-12-04T10:00:00.000Z")
                .contains("WooCommerce lost\\r\\n2026-12-04T10:00:00.000Z")
                .contains("from shop\\r\\n2026-12-04T10:00:00.000Z");
    }

    @Test
    void everyLoggerIsEscapedNotOnlyTheIntakes(CapturedOutput output) {
        LoggerFactory.getLogger("org.apache.camel.SomeLibrary").warn("Could not read [{}]", "x\r\n" + FORGED);
        assertNoForgedLine(output);
        assertThat(output.getAll()).contains("Could not read [x\\r\\n2026-12-04T10:00:00.000Z");
    }

    @Test
    void exceptionMessagesAreEscapedAndTheirStackFramesKeepTheirLines(CapturedOutput output) {
        IllegalStateException cause = new IllegalStateException("cause\n" + FORGED);
        IllegalArgumentException thrown = new IllegalArgumentException("Bad value [x\r\n" + FORGED + "]", cause);
        thrown.addSuppressed(new RuntimeException("suppressed\n" + FORGED));
        LoggerFactory.getLogger("org.apache.camel.SomeLibrary").error("It failed", thrown);
        assertNoForgedLine(output);
        assertThat(output.getAll())
                .contains("java.lang.IllegalArgumentException: Bad value [x\\r\\n2026-12-04T10")
                .contains("Caused by: java.lang.IllegalStateException: cause\\n2026-12-04T10")
                .contains("Suppressed: java.lang.RuntimeException: suppressed\\n2026-12-04T10");
        assertThat(output.getAll().lines().filter(line -> line.strip().startsWith("at org.cartrelay.intake.")))
                .isNotEmpty();
    }

    @Test
    void longSenderValuesAreCut(CapturedOutput output) {
        String ds24 = Digistore24Forms.from(
                "digistore24/order-form-entry.form", Map.of("order_id", "LOG-4", "event", "e".repeat(200_000)));
        assertThat(hub().postForm("/ipn/digistore24", ds24).statusCode()).isEqualTo(200);
        assertThat(output.getAll().lines().filter(line -> line.contains("Digistore24 eee")))
                .singleElement()
                .satisfies(line -> assertThat(line.length()).isLessThan(1000).isGreaterThan(200));
        assertThat(output.getAll().lines()).allMatch(line -> line.length() <= 4400);
    }

    @Test
    void aMalformedAddressShowsNothingOfWhatFollowsItsAt(CapturedOutput output) {
        String woo = Fixtures.form("woocommerce/abandoned.form")
                .replace("email=ana.silva%40example.com", "email=ana%40secret-part%40evil.example")
                .replace("wcf_ac_token%3Dabc123", "wcf_ac_token%3Dlog5");
        assertThat(hub().postForm("/webhooks/woocommerce?token=woo-test-token", woo)
                        .statusCode())
                .isEqualTo(200);
        assertThat(output.getAll())
                .contains("WooCommerce abandoned for ***: REJECTED")
                .doesNotContain("secret-part")
                .doesNotContain("evil.example");
        String valid =
                Fixtures.form("woocommerce/abandoned.form").replace("wcf_ac_token%3Dabc123", "wcf_ac_token%3Dlog6");
        hub().postForm("/webhooks/woocommerce?token=woo-test-token", valid);
        assertThat(output.getAll())
                .contains("WooCommerce abandoned for a***@example.com: PROCESSED")
                .doesNotContain("ana.silva");
    }

    @Test
    void tomcatDoesNotEchoAMalformedHeaderLineWithTheToken(CapturedOutput output) {
        byte[] body = Fixtures.form("woocommerce/abandoned.form").getBytes(StandardCharsets.UTF_8);
        String request = "POST /webhooks/woocommerce HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "X-CartRelay-Token woo-test-token-in-a-broken-line\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8);
        RawHttp.Response response =
                RawHttp.send(hub().port(), request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        assertThat(response.status()).isEqualTo(400);
        // twice: Tomcat logs the first at INFO and later ones at DEBUG
        RawHttp.send(hub().port(), request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        assertThat(output.getAll()).doesNotContain("woo-test-token-in-a-broken-line");
    }
}
