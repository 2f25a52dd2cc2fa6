package org.cartrelay.intake;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.cartrelay.event.Address;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Customer;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.Item;
import org.cartrelay.support.JsonSchemas.Violation;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The bounds of what an intake keeps (docs/sources.md, "Bounds"), checked before the schema validator or the
 * database sees a value. Every source's canonical event is held to the same rules; the generic intake answers a
 * violation with 422, the others store the notice as rejected with the reason (they retry anything but 2xx). Messages
 * name the field and the rule, never the value.
 */
public final class IntakeBounds {

    /**
     * Ids: checkout, order, order form and product ids (the generic schema holds a sent sourceEventId to the same;
     * the key a source's notice is stored under is bounded by {@link Notice}).
     */
    static final int MAX_ID = 200;

    static final int MAX_SOURCE = 64;
    /** Any other text but attribute values (the sender's own, bounded by the body limit): names, address, phone. */
    static final int MAX_TEXT = 1000;

    static final int MAX_URL = 2048;
    static final int MAX_ITEMS = 500;
    static final int MAX_ATTRIBUTES = 50;
    static final int MAX_ATTRIBUTE_NAME = 64;
    static final int MAX_QUANTITY = 1_000_000;
    static final int MONEY_INTEGER_DIGITS = 12;
    static final int MONEY_DECIMALS = 4;
    /** Any JSON number: at most this many digits before and after the point, whatever its exponent says. */
    static final int JSON_NUMBER_DIGITS = 20;

    static final int JSON_MAX_DEPTH = 32;

    /**
     * The JSON reader of the intakes: the event mapping, with numbers of at most 100 characters and nesting of at
     * most {@link #JSON_MAX_DEPTH} levels, so a hostile body fails in the parser.
     */
    static final ObjectMapper JSON = jsonReader();

    private IntakeBounds() {}

    private static ObjectMapper jsonReader() {
        ObjectMapper mapper = EventJson.MAPPER.copy();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNumberLength(100)
                        .maxNestingDepth(JSON_MAX_DEPTH)
                        .build());
        return mapper;
    }

    /**
     * A body as a JSON tree through {@link #JSON}. Jackson answers a number whose exponent is beyond int
     * ({@code 1e99999999999}) with a NumberFormatException rather than a parse error; it is one here.
     */
    public static JsonNode readTree(byte[] body) throws JsonProcessingException {
        try {
            return JSON.readTree(body);
        } catch (NumberFormatException e) {
            throw new JsonParseException(null, "A number is beyond what the hub reads (its exponent, say).");
        } catch (IOException e) {
            throw e instanceof JsonProcessingException processing
                    ? processing
                    : new JsonParseException(null, "The body cannot be read as JSON.");
        }
    }

    /** Numbers anywhere in a JSON tree whose digits exceed {@link #JSON_NUMBER_DIGITS} (1e999999999, say). */
    public static List<Violation> numbers(JsonNode tree) {
        List<Violation> found = new ArrayList<>();
        numbers(tree, "", found);
        return found;
    }

    private static void numbers(JsonNode node, String path, List<Violation> found) {
        if (found.size() >= 20) {
            return;
        }
        if (node.isNumber() && !fits(node)) {
            found.add(new Violation(
                    path.isEmpty() ? "(document)" : path,
                    "a number may have at most " + JSON_NUMBER_DIGITS + " digits before and " + JSON_NUMBER_DIGITS
                            + " after the point"));
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                numbers(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                numbers(node.get(i), path + "[" + i + "]", found);
            }
        }
    }

    private static boolean fits(JsonNode number) {
        if (number.isBigDecimal()) {
            BigDecimal value = number.decimalValue();
            return integerDigits(value) <= JSON_NUMBER_DIGITS && value.scale() <= JSON_NUMBER_DIGITS;
        }
        if (number.isBigInteger()) {
            return number.bigIntegerValue().abs().compareTo(BigInteger.TEN.pow(JSON_NUMBER_DIGITS)) < 0;
        }
        return !number.isFloatingPointNumber() || Double.isFinite(number.doubleValue());
    }

    /** Every bound the event breaks; empty when it keeps them all. */
    public static List<Violation> check(CanonicalEvent event) {
        List<Violation> found = new ArrayList<>();
        text(found, "source", event.source(), MAX_SOURCE);
        Checkout checkout = event.checkout();
        if (checkout != null) {
            text(found, "checkout.id", checkout.id(), MAX_ID);
            text(found, "checkout.orderFormId", checkout.orderFormId(), MAX_ID);
            url(found, "checkout.resumeUrl", checkout.resumeUrl());
            text(found, "checkout.currency", checkout.currency(), 3);
            money(found, "checkout.total", checkout.total());
            if (checkout.items().size() > MAX_ITEMS) {
                found.add(new Violation("checkout.items", "at most " + MAX_ITEMS + " items"));
            } else {
                for (int i = 0; i < checkout.items().size(); i++) {
                    Item item = checkout.items().get(i);
                    String at = "checkout.items[" + i + "].";
                    text(found, at + "productId", item.productId(), MAX_ID);
                    text(found, at + "name", item.name(), MAX_TEXT);
                    if (item.quantity() != null && (item.quantity() < 1 || item.quantity() > MAX_QUANTITY)) {
                        found.add(new Violation(at + "quantity", "a whole number from 1 to " + MAX_QUANTITY));
                    }
                    money(found, at + "unitPrice", item.unitPrice());
                }
            }
        }
        if (event.order() != null) {
            text(found, "order.id", event.order().id(), MAX_ID);
        }
        Customer customer = event.customer();
        if (customer != null) {
            text(found, "customer.email", customer.email(), 254);
            text(found, "customer.firstName", customer.firstName(), MAX_TEXT);
            text(found, "customer.lastName", customer.lastName(), MAX_TEXT);
            text(found, "customer.phone", customer.phone(), MAX_TEXT);
            text(found, "customer.language", customer.language(), MAX_TEXT);
            Address address = customer.address();
            if (address != null) {
                text(found, "customer.address.street", address.street(), MAX_TEXT);
                text(found, "customer.address.city", address.city(), MAX_TEXT);
                text(found, "customer.address.state", address.state(), MAX_TEXT);
                text(found, "customer.address.zip", address.zip(), MAX_TEXT);
                text(found, "customer.address.country", address.country(), 2);
            }
        }
        if (event.attributes().size() > MAX_ATTRIBUTES) {
            found.add(new Violation("attributes", "at most " + MAX_ATTRIBUTES + " attributes"));
        } else if (event.attributes().keySet().stream().anyMatch(name -> name.length() > MAX_ATTRIBUTE_NAME)) {
            found.add(new Violation("attributes", "a name may have at most " + MAX_ATTRIBUTE_NAME + " characters"));
        }
        return found;
    }

    /** The notice as it will be kept: rejected, with the broken bounds as its reason, when its event breaks any. */
    public static Notice enforce(Notice notice) {
        if (notice.event() == null) {
            return notice;
        }
        List<Violation> found = check(notice.event());
        return found.isEmpty()
                ? notice
                : Notice.rejected(notice.source(), notice.sourceEventId(), notice.rawBody(), reason(found));
    }

    public static String reason(List<Violation> found) {
        StringBuilder reason = new StringBuilder("Out of bounds: ");
        for (int i = 0; i < found.size(); i++) {
            reason.append(i == 0 ? "" : "; ")
                    .append(found.get(i).field())
                    .append(" ")
                    .append(found.get(i).message());
        }
        return reason.toString();
    }

    private static void text(List<Violation> found, String field, String value, int max) {
        if (value != null && value.length() > max) {
            found.add(new Violation(field, "at most " + max + " characters"));
        } else if (value != null && value.indexOf('\u0000') >= 0) {
            // a NUL the sender escaped into a value (%00 in a form, an escape in JSON); PostgreSQL text cannot hold it
            found.add(new Violation(field, "no NUL character"));
        }
    }

    private static void money(List<Violation> found, String field, BigDecimal value) {
        if (value != null && (integerDigits(value) > MONEY_INTEGER_DIGITS || value.scale() > MONEY_DECIMALS)) {
            found.add(new Violation(
                    field,
                    "money has at most " + MONEY_INTEGER_DIGITS + " digits before the point and " + MONEY_DECIMALS
                            + " after it"));
        }
    }

    /** Digits before the point; in long, since precision minus a scale of -2147483647 overflows int. */
    private static long integerDigits(BigDecimal value) {
        return (long) value.precision() - value.scale();
    }

    private static void url(List<Violation> found, String field, String value) {
        if (value == null) {
            return;
        }
        if (value.length() > MAX_URL) {
            found.add(new Violation(field, "at most " + MAX_URL + " characters"));
            return;
        }
        if (!isWebUrl(value)) {
            found.add(new Violation(field, "an absolute http or https URL"));
        }
    }

    /** An absolute http(s) URL with a host, as {@link URI} reads it. */
    public static boolean isWebUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** A quantity as sent, saturated to {@link Integer#MAX_VALUE} so an overflow breaks the bound, not the parser. */
    public static Integer quantity(String value, Integer fallback) {
        if (value == null) {
            return fallback;
        }
        String digits = value.trim();
        if (!digits.matches("-?[0-9]{1,40}")) {
            return fallback;
        }
        BigInteger parsed = new BigInteger(digits);
        return parsed.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0
                ? Integer.MAX_VALUE
                : parsed.compareTo(BigInteger.valueOf(Integer.MIN_VALUE)) < 0 ? Integer.MIN_VALUE : parsed.intValue();
    }

    /**
     * A decimal amount, or null when it is none (as before: an unreadable amount is left out); its digits are checked
     * by {@link #check}. A number too long to parse cheaply stands for one out of bounds.
     */
    public static BigDecimal money(String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > 100) {
            boolean numeric = value.chars().allMatch(c -> "0123456789+-.eE".indexOf(c) >= 0);
            return numeric ? BigDecimal.TEN.pow(MONEY_INTEGER_DIGITS + 1) : null;
        }
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
