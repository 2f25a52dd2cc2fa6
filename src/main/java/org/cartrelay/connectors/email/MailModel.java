package org.cartrelay.connectors.email;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cartrelay.event.Checkout;
import org.cartrelay.event.Customer;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;

/**
 * The variables a mail template sees (documented in docs/connectors/email.md). Absent values are left out, so
 * {@code {{#coupon}}…{{/coupon}}} shows only when there is a coupon; money is a plain decimal string.
 */
final class MailModel {

    private MailModel() {}

    static Map<String, Object> of(OutboundEvent event, int step, String unsubscribe) {
        Map<String, Object> model = new LinkedHashMap<>();
        Customer customer = event.customer();
        if (customer != null) {
            put(model, "email", customer.email());
            put(model, "firstName", customer.firstName());
            put(model, "lastName", customer.lastName());
            put(model, "language", customer.language());
        }
        Checkout checkout = event.checkout();
        List<Map<String, Object>> items = new ArrayList<>();
        if (checkout != null) {
            put(model, "checkoutId", checkout.id());
            put(model, "currency", checkout.currency());
            put(model, "total", money(checkout.total()));
            for (Item item : checkout.items()) {
                Map<String, Object> line = new LinkedHashMap<>();
                put(line, "productId", item.productId());
                put(line, "name", item.name() != null ? item.name() : item.productId());
                int quantity = item.quantity() == null ? 1 : item.quantity();
                line.put("quantity", quantity);
                put(line, "unitPrice", money(item.unitPrice()));
                put(
                        line,
                        "lineTotal",
                        item.unitPrice() == null
                                ? null
                                : money(item.unitPrice().multiply(BigDecimal.valueOf(quantity))));
                put(line, "currency", checkout.currency());
                items.add(line);
            }
        }
        model.put("items", items);
        model.put("hasItems", !items.isEmpty());
        OutboundEvent.Abandonment abandonment = event.abandonment();
        String resumeUrl = abandonment != null && abandonment.resumeUrl() != null
                ? abandonment.resumeUrl()
                : checkout == null ? null : checkout.resumeUrl();
        put(model, "resumeUrl", resumeUrl);
        if (abandonment != null) {
            put(model, "coupon", abandonment.coupon());
            model.put("highValue", "high".equals(abandonment.valueTier()));
            model.put("repeatAbandoner", abandonment.segments().contains("repeat-abandoner"));
        }
        model.put("step", step + 1);
        model.put("unsubscribeUrl", unsubscribe);
        model.put("eventId", event.id());
        return model;
    }

    private static String money(BigDecimal amount) {
        return amount == null ? null : amount.toPlainString();
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null && !"".equals(value)) {
            map.put(key, value);
        }
    }
}
