package org.cartrelay.privacy;

import java.util.Locale;
import java.util.Set;

import org.cartrelay.event.OutboundEvent;

/**
 * The one list of EU member states (ISO 3166-1 alpha-2; Greece also as the EU's own code {@code EL}), and whether
 * a buyer is in one. Digistore24 says so itself ({@code is_gdpr_country} Y/N, kept in the event's attributes), and
 * that answer wins; every other source is judged by the country of the buyer's address. A buyer with neither is not
 * known to be in the EU.
 */
public final class EuCountries {

    public static final Set<String> CODES = Set.of(
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "HU", "IE", "IT", "LV", "LT",
            "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE");

    /** The attribute in which Digistore24's own answer arrives. */
    public static final String DIGISTORE24_GDPR = "is_gdpr_country";

    private EuCountries() {}

    public static boolean contains(String country) {
        return country != null && CODES.contains(country.strip().toUpperCase(Locale.ROOT));
    }

    public static boolean isEuBuyer(OutboundEvent event) {
        String gdpr = event.attributes() == null ? null : event.attributes().get(DIGISTORE24_GDPR);
        if (gdpr != null && !gdpr.isBlank()) {
            String answer = gdpr.strip().toUpperCase(Locale.ROOT);
            return answer.equals("Y") || answer.equals("YES") || answer.equals("1") || answer.equals("TRUE");
        }
        return event.customer() != null
                && event.customer().address() != null
                && contains(event.customer().address().country());
    }
}
