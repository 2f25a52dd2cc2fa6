package org.cartrelay.support;

import java.util.Locale;
import java.util.Set;

/**
 * A form field's newsletter consent, as Digistore24's {@code newsletter_choice} has it and a shop's own consent field
 * reads the same: yes, true, 1, single or double opt-in. Digistore24 documents no exhaustive list of values; anything
 * else means no consent.
 */
public final class ConsentWords {

    private static final Set<String> CONSENTING =
            Set.of("yes", "y", "true", "1", "single", "double", "single_optin", "double_optin", "opt_in", "optin");

    private ConsentWords() {}

    public static boolean consenting(String value) {
        return value != null && CONSENTING.contains(value.trim().toLowerCase(Locale.ROOT));
    }
}
