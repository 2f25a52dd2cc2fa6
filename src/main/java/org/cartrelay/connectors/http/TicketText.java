package org.cartrelay.connectors.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.cartrelay.event.Item;

/**
 * The words of a "call this lead" ticket, shared by the ticket-system connectors: a subject an agent can act on
 * ({@code Call back: Basic, 49.00 USD}, marked when the buyer is a repeat abandoner), the lines of its first
 * comment, the note on recovery, and the tags.
 */
public final class TicketText {

    public static final String ABANDONED_TAG = "abandoned-cart";
    public static final String RECOVERED_TAG = "cart-recovered";

    private TicketText() {}

    public static String subject(CartFacts cart) {
        return (cart.repeatAbandoner() ? "Call back (repeat abandoner): " : "Call back: ") + what(cart);
    }

    public static String recoveredSubject(CartFacts cart) {
        return "Recovered: " + what(cart);
    }

    private static String what(CartFacts cart) {
        String products = cart.products() == null ? "checkout " + cart.checkoutId() : cart.products();
        return cart.money() == null ? products : products + ", " + cart.money();
    }

    /** The ticket's description: who, what, the link back, and why it matters. */
    public static List<String> abandonedLines(CartFacts cart) {
        List<String> lines = new ArrayList<>();
        String who = cart.fullName() == null ? cart.email() : cart.fullName() + " <" + cart.email() + ">";
        lines.add(who + (cart.phone() == null ? "" : ", phone " + cart.phone()) + " left a checkout without paying.");
        for (Item item : cart.items()) {
            lines.add("- " + (item.quantity() == null ? 1 : item.quantity()) + " x "
                    + (item.name() == null ? item.productId() : item.name())
                    + (item.productId() == null || item.name() == null ? "" : " (" + item.productId() + ")")
                    + (item.unitPrice() == null ? "" : " at " + item.unitPrice().toPlainString()));
        }
        if (cart.money() != null) {
            lines.add("Cart value: " + cart.money() + (CartFacts.HIGH.equals(cart.valueTier()) ? " (high value)" : ""));
        }
        if (cart.resumeUrl() != null) {
            lines.add("Resume link: " + cart.resumeUrl());
        }
        if (cart.coupon() != null) {
            lines.add("Coupon offered: " + cart.coupon());
        }
        if (cart.time() != null) {
            lines.add("Abandoned at: " + cart.time());
        }
        if (cart.repeatAbandoner()) {
            Integer attempt = cart.event().abandonment() == null
                    ? null
                    : cart.event().abandonment().attempt();
            lines.add("Repeat abandoner" + (attempt == null ? "" : " (" + attempt + " abandoned checkouts recently)")
                    + ": check whether something keeps this buyer from completing the purchase.");
        }
        lines.add("Checkout " + cart.checkoutId() + " from " + cart.event().source() + ".");
        return lines;
    }

    /** The note on the ticket, or the short ticket, when the buyer paid after all. */
    public static List<String> recoveredLines(CartFacts cart) {
        List<String> lines = new ArrayList<>();
        lines.add("The buyer " + cart.email() + " completed the purchase"
                + (cart.orderId() == null ? "" : ": order " + cart.orderId())
                + (cart.money() == null ? "" : ", " + cart.money())
                + (cart.time() == null ? "" : ", at " + cart.time()) + ".");
        lines.add("No call back needed for checkout " + cart.checkoutId() + ".");
        return lines;
    }

    /** {@code abandoned-cart} (or {@code cart-recovered}), the hub's segment tags, then the file's own tags. */
    public static List<String> tags(CartFacts cart, List<String> extra) {
        Set<String> tags = new LinkedHashSet<>();
        if (cart.recovered()) {
            tags.add(RECOVERED_TAG);
        } else {
            tags.add(ABANDONED_TAG);
            tags.addAll(cart.segments());
        }
        tags.addAll(extra);
        return List.copyOf(tags);
    }

    /** The lines as HTML paragraphs, for systems whose description is HTML. */
    public static String html(List<String> lines) {
        StringBuilder html = new StringBuilder();
        for (String line : lines) {
            html.append("<p>").append(escape(line)).append("</p>");
        }
        return html.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
