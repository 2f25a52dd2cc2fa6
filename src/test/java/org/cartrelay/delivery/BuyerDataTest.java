package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An attempt's error text loses the delivery's own buyer's phone and encoded address, and nothing else. */
class BuyerDataTest {

    private static final String PAYLOAD = """
            {"id": "evt_1", "customer": {"email": "Jane.Doe+x@example.com", "phone": "+1 512 555 0134"}}""";

    @Test
    void theBuyersPhoneAndEncodedAddressAreMaskedInEveryForm() {
        assertThat(BuyerData.maskedIn("Value too long for column \"PHONE\": \"'+1 512 555 0134' (15)\"", PAYLOAD))
                .isEqualTo("Value too long for column \"PHONE\": \"'***34' (15)\"");
        assertThat(BuyerData.maskedIn("no contact +15125550134 / 15125550134 / %2B1+512+555+0134", PAYLOAD))
                .isEqualTo("no contact ***34 / ***34 / ***34");
        assertThat(BuyerData.maskedIn("GET /contacts?email=Jane.Doe%2Bx%40example.com: 404", PAYLOAD))
                .isEqualTo("GET /contacts?email=J***%40example.com: 404");
    }

    @Test
    void otherTextAndPayloadsWithoutABuyerAreLeftAlone() {
        String text = "HTTP 503 after 1512 ms, order 5550134";
        assertThat(BuyerData.maskedIn(text, PAYLOAD)).isEqualTo(text);
        assertThat(BuyerData.maskedIn(text, "{\"customer\": {\"phone\": \"12\"}}"))
                .isEqualTo(text);
        assertThat(BuyerData.maskedIn(text, "not json")).isEqualTo(text);
        assertThat(BuyerData.maskedIn(null, PAYLOAD)).isNull();
    }
}
