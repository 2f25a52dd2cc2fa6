package org.cartrelay.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Logs never carry a buyer's contact data in the clear. */
public final class Masking {

    /** Something shaped like an address in free text; {@link #email} decides what of it may show. */
    private static final Pattern ADDRESS =
            Pattern.compile("[^\\s\"'<>()\\[\\]{},;:@]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");

    private Masking() {}

    /**
     * {@code jane.doe@example.com} → {@code j***@example.com}: the first character and the domain of a valid
     * address ({@link EmailAddress#isValid}), and nothing of anything else ({@code ***}), which may carry whatever a
     * sender put after an {@code @}.
     */
    public static String email(String email) {
        if (email == null) {
            return null;
        }
        if (!EmailAddress.isValid(email)) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(email.indexOf('@'));
    }

    /** Every email address in a text (a target's error message, say) masked as {@link #email} masks one. */
    public static String emailsIn(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        return ADDRESS.matcher(text).replaceAll(m -> Matcher.quoteReplacement(email(m.group())));
    }

    /** {@code +1 512 555 0134} → {@code ***34} */
    public static String phone(String phone) {
        if (phone == null) {
            return null;
        }
        String digits = phone.replaceAll("\\D", "");
        return "***" + (digits.length() > 2 ? digits.substring(digits.length() - 2) : "");
    }
}
