package org.cartrelay.lifecycle;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent.Abandonment;
import org.cartrelay.store.CheckoutStore;
import org.cartrelay.store.CheckoutStore.CheckoutRow;
import org.springframework.stereotype.Component;

/**
 * What the hub adds to each abandoned checkout: the buyer's abandonment count within the repeat
 * window and the segment {@code repeat-abandoner} from the second on, the value tier, one segment per product, the
 * resume link and the coupon.
 */
@Component
public class Enrichment {

    public static final String HIGH = "high";
    public static final String NORMAL = "normal";
    public static final String REPEAT_ABANDONER = "repeat-abandoner";
    public static final String PRODUCT_SEGMENT = "abandoned-product-";

    private final CheckoutStore checkouts;
    private final CouponPool coupons;
    private final CartRelayProperties properties;

    public Enrichment(CheckoutStore checkouts, CouponPool coupons, CartRelayProperties properties) {
        this.checkouts = checkouts;
        this.coupons = coupons;
        this.properties = properties;
    }

    /**
     * Enriches checkouts just marked abandoned at {@code now}, in the transaction that marked them. A buyer with
     * several checkouts in one batch counts them in batch order.
     *
     * @param rows the abandoned checkouts
     * @param started their {@code checkout.started} events, in the same order
     */
    public List<Abandonment> enrich(List<CheckoutRow> rows, List<CanonicalEvent> started, Instant now) {
        Set<String> emails = new LinkedHashSet<>();
        Set<String> batch = new LinkedHashSet<>();
        for (CheckoutRow row : rows) {
            emails.add(row.email());
            batch.add(row.id());
        }
        Map<String, Integer> earlier = new HashMap<>();
        for (Map.Entry<String, String> abandoned : checkouts.abandonedSince(
                emails, now.minus(properties.abandonment().repeatWindow()))) {
            if (!batch.contains(abandoned.getKey())) {
                earlier.merge(abandoned.getValue(), 1, Integer::sum);
            }
        }
        List<Abandonment> result = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            CheckoutRow row = rows.get(i);
            int attempt = earlier.merge(row.email(), 1, Integer::sum);
            result.add(enrich(row, started.get(i), attempt, now));
        }
        return result;
    }

    private Abandonment enrich(CheckoutRow row, CanonicalEvent started, int attempt, Instant now) {
        List<String> segments = new ArrayList<>();
        if (attempt >= 2) {
            segments.add(REPEAT_ABANDONER);
        }
        List<Item> items =
                started.checkout() == null ? List.of() : started.checkout().items();
        items.stream()
                .map(Item::productId)
                .filter(id -> id != null && !id.isBlank())
                .distinct()
                .forEach(id -> segments.add(PRODUCT_SEGMENT + id));
        String coupon = coupons.next(row.id(), now).orElse(null);
        return new Abandonment(attempt, valueTier(started), segments, resumeUrl(row, started, coupon), coupon, now);
    }

    private String valueTier(CanonicalEvent started) {
        BigDecimal threshold = properties.abandonment().highValueThreshold();
        BigDecimal total =
                started.checkout() == null ? null : started.checkout().total();
        return threshold != null && total != null && total.compareTo(threshold) >= 0 ? HIGH : NORMAL;
    }

    /** The shop's own link when the source gave one, else the configured template filled in, else none. */
    private String resumeUrl(CheckoutRow row, CanonicalEvent started, String coupon) {
        String own = started.checkout() == null ? null : started.checkout().resumeUrl();
        if (own != null && !own.isBlank()) {
            return own;
        }
        String template = properties.recovery().linkTemplate();
        if (template == null || template.isBlank()) {
            return null;
        }
        String checkoutId = started.checkoutId() != null ? started.checkoutId() : row.id();
        return template.replace("{email}", encode(started.email()))
                .replace("{productId}", encode(started.firstProductId()))
                .replace("{checkoutId}", encode(checkoutId))
                .replace("{coupon}", encode(coupon));
    }

    /** Percent-encoding for any part of a URL: a space is %20, never +. */
    static String encode(String value) {
        return value == null
                ? ""
                : URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
