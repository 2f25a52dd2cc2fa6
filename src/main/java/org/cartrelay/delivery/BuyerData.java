package org.cartrelay.delivery;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.cartrelay.support.Masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An attempt's error text with the delivery's own buyer masked in it: a database quotes the value it refused
 * ({@code Value too long … '+1 512 555 0134'}), a target the address it does not know. Email addresses in any text
 * are masked already ({@link Masking#emailsIn}); this adds the buyer's phone (as sent, digits only, form-encoded)
 * and URL-encoded address, which no pattern can tell from other numbers and text. The text goes to the log, the
 * attempt row and the dead letter.
 */
final class BuyerData {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Shorter numbers are not told apart from counts and codes. */
    private static final int MIN_PHONE_DIGITS = 6;

    private BuyerData() {}

    static String maskedIn(String text, String payload) {
        if (text == null || text.isEmpty() || payload == null) {
            return text;
        }
        JsonNode customer;
        try {
            customer = JSON.readTree(payload).path("customer");
        } catch (IOException notJson) {
            return text;
        }
        String result = text;
        String phone = customer.path("phone").asText("");
        String digits = phone.replaceAll("\\D", "");
        if (digits.length() >= MIN_PHONE_DIGITS) {
            String mask = Masking.phone(phone);
            for (String form : List.of(phone, URLEncoder.encode(phone, StandardCharsets.UTF_8), "+" + digits, digits)) {
                result = result.replace(form, mask);
            }
        }
        String email = customer.path("email").asText("");
        if (email.indexOf('@') > 0) {
            String mask = URLEncoder.encode(Masking.email(email), StandardCharsets.UTF_8);
            result = result.replace(URLEncoder.encode(email, StandardCharsets.UTF_8), mask)
                    .replace(email.replace("@", "%40"), mask);
        }
        return result;
    }
}
