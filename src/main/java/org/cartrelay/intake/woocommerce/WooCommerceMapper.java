package org.cartrelay.intake.woocommerce;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.cartrelay.event.Address;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Consent;
import org.cartrelay.event.Customer;
import org.cartrelay.event.Item;
import org.cartrelay.intake.ConsentDefault;
import org.cartrelay.intake.IntakeBounds;
import org.cartrelay.intake.Notice;
import org.cartrelay.support.ConsentWords;
import org.cartrelay.support.Digests;
import org.cartrelay.support.EmailAddress;
import org.cartrelay.support.FormBody;
import org.springframework.web.util.UriComponentsBuilder;

/** Maps a CartFlows "Cart Abandonment Recovery" form webhook to a {@link Notice}. */
final class WooCommerceMapper {

    static final String SOURCE = "woocommerce";

    private final String currency;
    private final String consentField;
    private final ConsentDefault consentDefault;

    WooCommerceMapper(String currency, String consentField, ConsentDefault consentDefault) {
        this.currency = currency;
        this.consentField = consentField;
        this.consentDefault = consentDefault;
    }

    Notice map(FormBody form, String rawBody, Instant receivedAt) {
        String status = form.get("order_status");
        String checkoutUrl = form.get("checkout_url");
        String cartToken = cartToken(checkoutUrl);
        String sourceEventId = (status == null ? "(none)" : status) + ":"
                + (cartToken != null ? cartToken : "sha256-" + Digests.sha256(rawBody));
        String type;
        if ("abandoned".equals(status)) {
            type = CanonicalEvent.CHECKOUT_STARTED;
        } else if ("completed".equals(status)) {
            type = CanonicalEvent.ORDER_COMPLETED;
        } else {
            return Notice.ignored(
                    SOURCE, sourceEventId, rawBody, null, "order_status '" + status + "' does not affect abandonment.");
        }
        String email = form.get("email");
        if (email == null || !EmailAddress.isValid(email)) {
            return Notice.rejected(
                    SOURCE,
                    sourceEventId,
                    rawBody,
                    email == null ? "The notification has no email address." : "The email address is not valid.");
        }
        List<Item> items = new ArrayList<>();
        String names = form.get("product_names");
        if (names != null) {
            for (String name : names.split(",")) {
                if (!name.isBlank()) {
                    items.add(new Item(null, name.trim(), null, null));
                }
            }
        }
        Checkout checkout = new Checkout(cartToken, null, checkoutUrl, currency, money(form.get("cart_total")), items);
        String billing = form.get("billing_address");
        Address address = billing == null ? null : Address.of(billing, null, null, null, country(billing));
        Customer customer = new Customer(
                email, form.get("first_name"), form.get("last_name"), form.get("phone_number"), address, null);
        Map<String, String> attributes = new LinkedHashMap<>();
        if (form.get("coupon_code") != null) {
            attributes.put("coupon_code", form.get("coupon_code"));
        }
        String choice = consentField == null || consentField.isBlank() ? null : form.get(consentField);
        Consent consent = consentDefault.apply(choice == null ? null : new Consent(ConsentWords.consenting(choice)));
        return Notice.processed(
                SOURCE,
                sourceEventId,
                rawBody,
                new CanonicalEvent(
                        type, SOURCE, sourceEventId, receivedAt, checkout, null, customer, consent, attributes));
    }

    /** The {@code wcf_ac_token} of a checkout URL; none when the URL is no URL (the bounds then reject it). */
    private static String cartToken(String checkoutUrl) {
        if (checkoutUrl == null || !IntakeBounds.isWebUrl(checkoutUrl)) {
            return null;
        }
        try {
            String token = UriComponentsBuilder.fromUriString(checkoutUrl)
                    .build()
                    .getQueryParams()
                    .getFirst("wcf_ac_token");
            return token == null || token.isBlank() ? null : token;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** CartFlows sends the address as one line; a trailing two-letter part after a comma is its country code. */
    private static String country(String line) {
        int comma = line.lastIndexOf(',');
        String last = comma < 0 ? "" : line.substring(comma + 1).trim();
        return last.matches("[A-Za-z]{2}") ? last.toUpperCase(Locale.ROOT) : null;
    }

    private static BigDecimal money(String value) {
        return IntakeBounds.money(value);
    }
}
