package org.cartrelay.intake.digistore24;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.notice;
import static org.cartrelay.intake.IntakeTestSupport.notices;
import static org.cartrelay.intake.IntakeTestSupport.signedForm;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.cartrelay.intake.IntakeTestSupport;
import org.cartrelay.intake.IntakeTestSupport.StoredNotice;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code /ipn/digistore24}: sha_sign, the answer OK, and how each event is mapped and stored. */
class Digistore24IntakeTest {

    private static final String PATH = "/ipn/digistore24";

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    /** An order-form entry of our own (fresh order id and email, so tests sharing the hub do not meet). */
    private static List<Map.Entry<String, String>> entry(String orderId, String event, String... extra) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>(List.of(
                Map.entry("event", event),
                Map.entry("ipn_version", "1.6"),
                Map.entry("api_mode", "test"),
                Map.entry("order_id", orderId),
                Map.entry("order_date_time", "2026-11-20 14:02:11"),
                Map.entry("product_id", "512345"),
                Map.entry("product_name", "Video Course Pro"),
                Map.entry("currency", "USD"),
                Map.entry("amount", "197.00"),
                Map.entry("email", orderId.toLowerCase() + "@example.com"),
                Map.entry("address_first_name", "Jane"),
                Map.entry("address_city", "")));
        for (int i = 0; i < extra.length; i += 2) {
            String key = extra[i];
            pairs.removeIf(p -> p.getKey().equals(key));
            pairs.add(Map.entry(key, extra[i + 1]));
        }
        return pairs;
    }

    private static String signed(List<Map.Entry<String, String>> pairs) {
        return signedForm(pairs, Fixtures.DIGISTORE24_PASSPHRASE, false);
    }

    private static void assertOk(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body()).startsWith("OK");
    }

    private static String checkoutStatus(String orderId) {
        return hub().jdbc()
                .sql("select status from checkout where source = 'digistore24' and checkout_ref = ?")
                .param(orderId)
                .query(String.class)
                .single();
    }

    @Test
    void everySignedFixtureIsAnsweredOkAndStored() {
        assertOk(hub().postForm(PATH, Fixtures.form("digistore24/connection-test.form")));
        assertOk(hub().postForm(PATH, Fixtures.form("digistore24/order-form-entry.form")));
        assertOk(hub().postForm(PATH, Fixtures.form("digistore24/on-payment.form")));

        StoredNotice entry =
                notice(hub(), "digistore24", "DSX7K2M9:order_form_data_entered").orElseThrow();
        assertThat(entry.outcome()).isEqualTo("processed");
        assertThat(entry.eventType()).isEqualTo("checkout.started");
        assertThat(entry.email()).isEqualTo("jane.doe@example.com");
        assertThat(entry.rawBody()).isEqualTo(Fixtures.form("digistore24/order-form-entry.form"));
        JsonNode canonical = entry.canonicalJson();
        assertThat(canonical.at("/checkout/id").asText()).isEqualTo("DSX7K2M9");
        assertThat(canonical.at("/checkout/total").asText()).isEqualTo("197.00");
        assertThat(canonical.at("/checkout/currency").asText()).isEqualTo("USD");
        assertThat(canonical.at("/customer/address/country").asText()).isEqualTo("US");
        assertThat(canonical.at("/attributes/digistore24_event").asText()).isEqualTo("order_form_data_entered");

        StoredNotice payment =
                notice(hub(), "digistore24", "DSX7K2M9:on_payment").orElseThrow();
        assertThat(payment.outcome()).isEqualTo("processed");
        assertThat(payment.eventType()).isEqualTo("order.completed");
        // a payment IPN sends empty keys as "": they become absent
        assertThat(payment.canonicalJson().at("/customer/address").has("city")).isFalse();
        assertThat(payment.canonicalJson().at("/customer").has("phone")).isFalse();
    }

    @Test
    void theFixturesAreSignedWithKeysAsSentAndUpperCasedKeySignaturesAreAcceptedToo() {
        // the fixtures use the keys as sent (lower case); an account that signs upper-cased keys is accepted too
        String upper = signedForm(entry("UPKEYS1", "order_form_data_entered"), Fixtures.DIGISTORE24_PASSPHRASE, true);
        assertOk(hub().postForm(PATH, upper));
        assertThat(notice(hub(), "digistore24", "UPKEYS1:order_form_data_entered")
                        .orElseThrow()
                        .outcome())
                .isEqualTo("processed");

        String lower = signed(entry("LOWKEYS1", "order_form_data_entered"));
        assertOk(hub().postForm(PATH, lower));
        assertThat(notices(hub(), "digistore24", "LOWKEYS1:order_form_data_entered"))
                .isEqualTo(1);

        // the signature is compared case-insensitively
        String lowerHex = signed(entry("LOWHEX1", "order_form_data_entered"));
        int at = lowerHex.indexOf("sha_sign=") + "sha_sign=".length();
        assertOk(hub().postForm(
                        PATH, lowerHex.substring(0, at) + lowerHex.substring(at).toLowerCase()));
        assertThat(notices(hub(), "digistore24", "LOWHEX1:order_form_data_entered"))
                .isEqualTo(1);
    }

    @Test
    void aTamperedFieldOrAWrongShaSignIsRefusedWith403AndNothingIsStored() {
        String good = signed(entry("TAMPER1", "order_form_data_entered"));
        String tampered = good.replace("amount=197.00", "amount=1.00");
        assertThat(tampered).isNotEqualTo(good);
        HttpResponse<String> refused = hub().postForm(PATH, tampered);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).doesNotStartWith("OK");

        String otherPassphrase = signedForm(entry("TAMPER1", "order_form_data_entered"), "another-passphrase", false);
        assertThat(hub().postForm(PATH, otherPassphrase).statusCode()).isEqualTo(403);

        String unsigned = good.substring(0, good.indexOf("&sha_sign="));
        assertThat(hub().postForm(PATH, unsigned).statusCode()).isEqualTo(403);

        // an added field that was not signed
        assertThat(hub().postForm(PATH, good + "&newsletter_choice=yes").statusCode())
                .isEqualTo(403);

        assertThat(notices(hub(), "digistore24", "TAMPER1:order_form_data_entered"))
                .isZero();

        // the fixture with a wrong sha_sign
        long before = hub().count("select count(*) from notice");
        assertThat(hub().postForm(PATH, Fixtures.form("digistore24/bad-signature.form"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(hub().count("select count(*) from notice")).isEqualTo(before);
    }

    @Test
    void digistore24sPublishedExampleVerifies() {
        String published =
                "9A23DE2603A33D17D935908580B5DB90C452DE8E68556E2A4AD96F1C3EC3BFD2EE3AE47B819B96286812224FBCED"
                        + "943D0ACF48C8C20CA57570E2263B6ABAF099";
        List<Map.Entry<String, String>> params = List.of(Map.entry("order_id", "ORD-1"), Map.entry("product_id", "42"));
        assertThat(Digistore24Signature.sign(params, "s3cret-passphrase", false))
                .isEqualTo(published);
        assertThat(Digistore24Signature.verify(params, "s3cret-passphrase", published))
                .isTrue();
        assertThat(Digistore24Signature.verify(params, "s3cret-passphrase", published.toLowerCase()))
                .isTrue();

        // order of the pairs, sha_sign itself and empty values do not count
        List<Map.Entry<String, String>> asSent = List.of(
                Map.entry("product_id", "42"),
                Map.entry("email", ""),
                Map.entry("sha_sign", published),
                Map.entry("order_id", "ORD-1"));
        assertThat(Digistore24Signature.verify(asSent, "s3cret-passphrase", published))
                .isTrue();

        assertThat(Digistore24Signature.verify(params, "s3cret-passphrase2", published))
                .isFalse();
        assertThat(Digistore24Signature.verify(
                        List.of(Map.entry("order_id", "ORD-2"), Map.entry("product_id", "42")),
                        "s3cret-passphrase",
                        published))
                .isFalse();
        assertThat(Digistore24Signature.verify(params, "s3cret-passphrase", null))
                .isFalse();
        assertThat(Digistore24Signature.verify(params, "", published)).isFalse();
    }

    @Test
    void theGetProbeAndConnectionTestAreAnsweredOkAndStoreNothing() {
        long before = hub().count("select count(*) from notice");
        HttpResponse<String> probe = hub().get(PATH);
        assertOk(probe);
        assertThat(probe.body()).isEqualTo("OK");

        HttpResponse<String> test = hub().postForm(PATH, Fixtures.form("digistore24/connection-test.form"));
        assertOk(test);
        assertThat(hub().postForm(PATH, signed(List.of(Map.entry("event", "connection_test"))))
                        .body())
                .isEqualTo("OK");
        assertThat(hub().count("select count(*) from notice")).isEqualTo(before);
        assertThat(IntakeTestSupport.noticesLike(hub(), "%connection_test%")).isZero();
    }

    @Test
    void orderDateTimeWithoutZoneIsReadInEuropeBerlin() {
        hub().postForm(PATH, Fixtures.form("digistore24/order-form-entry.form"));
        // 2026-11-20 14:02:11 in Berlin is CET, UTC+1
        assertThat(notice(hub(), "digistore24", "DSX7K2M9:order_form_data_entered")
                        .orElseThrow()
                        .canonicalJson()
                        .get("occurredAt")
                        .asText())
                .isEqualTo("2026-11-20T13:02:11Z");

        // in summer Berlin is CEST, UTC+2
        assertOk(hub().postForm(
                        PATH,
                        signed(entry("SUMMER1", "order_form_data_entered", "order_date_time", "2026-08-18 08:41:48"))));
        assertThat(notice(hub(), "digistore24", "SUMMER1:order_form_data_entered")
                        .orElseThrow()
                        .canonicalJson()
                        .get("occurredAt")
                        .asText())
                .isEqualTo("2026-08-18T06:41:48Z");
    }

    @Test
    void anUnknownNewsletterChoiceMeansNoConsent() {
        assertOk(hub().postForm(PATH, signed(entry("NEWS1", "order_form_data_entered", "newsletter_choice", "maybe"))));
        assertOk(hub().postForm(PATH, signed(entry("NEWS2", "order_form_data_entered", "newsletter_choice", "yes"))));
        assertOk(hub().postForm(PATH, signed(entry("NEWS3", "order_form_data_entered"))));

        JsonNode unknown = notice(hub(), "digistore24", "NEWS1:order_form_data_entered")
                .orElseThrow()
                .canonicalJson();
        assertThat(unknown.at("/consent/newsletter").isBoolean()).isTrue();
        assertThat(unknown.at("/consent/newsletter").asBoolean()).isFalse();
        JsonNode yes = notice(hub(), "digistore24", "NEWS2:order_form_data_entered")
                .orElseThrow()
                .canonicalJson();
        assertThat(yes.at("/consent/newsletter").asBoolean()).isTrue();
        JsonNode none = notice(hub(), "digistore24", "NEWS3:order_form_data_entered")
                .orElseThrow()
                .canonicalJson();
        assertThat(none.at("/consent/newsletter").asBoolean(false)).isFalse();
    }

    @Test
    void paymentEventsCompleteTheCheckout() {
        assertOk(hub().postForm(PATH, signed(entry("PAY1", "order_form_data_entered"))));
        assertThat(checkoutStatus("PAY1")).isEqualTo("pending");
        assertOk(hub().postForm(PATH, signed(entry("PAY1", "on_payment"))));
        assertThat(checkoutStatus("PAY1")).isEqualTo("converted");
        StoredNotice payment = notice(hub(), "digistore24", "PAY1:on_payment").orElseThrow();
        assertThat(payment.outcome()).isEqualTo("processed");
        assertThat(payment.eventType()).isEqualTo("order.completed");
        assertThat(payment.canonicalJson().at("/order/id").asText()).isEqualTo("PAY1");

        assertOk(hub().postForm(PATH, signed(entry("PAY2", "order_form_data_entered"))));
        assertOk(hub().postForm(PATH, signed(entry("PAY2", "on_payment_subscription_signup"))));
        assertThat(checkoutStatus("PAY2")).isEqualTo("converted");
        assertThat(notice(hub(), "digistore24", "PAY2:on_payment_subscription_signup")
                        .orElseThrow()
                        .eventType())
                .isEqualTo("order.completed");
    }

    @Test
    void transactionEventsAreStoredAsIgnored() {
        assertOk(hub().postForm(PATH, signed(entry("TRX1", "order_form_data_entered"))));
        for (String event : List.of(
                "on_refund",
                "on_chargeback",
                "on_payment_missed",
                "payment_denial",
                "on_rebill_cancelled",
                "on_rebill_resumed",
                "last_paid_day",
                "on_affiliation",
                "eticket")) {
            assertOk(hub().postForm(PATH, signed(entry("TRX1", event))));
            StoredNotice stored = notice(hub(), "digistore24", "TRX1:" + event).orElseThrow();
            assertThat(stored.outcome()).as(event).isEqualTo("ignored");
            assertThat(stored.reason()).as(event).isNotBlank();
            assertThat(stored.rawBody()).as(event).contains("event=" + event);
        }
        // none of them touched the pending checkout
        assertThat(checkoutStatus("TRX1")).isEqualTo("pending");
        assertThat(hub().count("select count(*) from checkout where checkout_ref = 'TRX1'"))
                .isEqualTo(1);
    }

    @Test
    void anEntryWithAnInvalidEmailIsAnsweredOkAndRecordedAsRejected() {
        assertOk(hub().postForm(PATH, signed(entry("BADMAIL1", "order_form_data_entered", "email", "not-an-email"))));
        StoredNotice stored =
                notice(hub(), "digistore24", "BADMAIL1:order_form_data_entered").orElseThrow();
        assertThat(stored.outcome()).isEqualTo("rejected");
        assertThat(stored.reason()).containsIgnoringCase("email");
        assertThat(hub().count("select count(*) from checkout where checkout_ref = 'BADMAIL1'"))
                .isZero();
    }
}
