package org.cartrelay.connectors.klaviyo;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.http.CartFacts;
import org.cartrelay.connectors.http.HttpCall;
import org.cartrelay.connectors.http.VendorHttpConnector;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Posts one Klaviyo event per outbound event ({@code POST /api/events}, JSON:API): metric {@code Checkout Abandoned}
 * or {@code Checkout Recovered}, the cart value and currency, the items, resume link and coupon as properties, and
 * {@code unique_id} = the hub's event id, so Klaviyo drops the duplicate a retry after a lost answer would make. A
 * {@code buyer.unsubscribed} event suppresses the buyer's profile ({@code POST /api/profile-suppression-bulk-create-jobs}).
 */
public class KlaviyoConnector extends VendorHttpConnector {

    /** Klaviyo refuses a profile whose phone number is not E.164, so any other form is left out. */
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

    private final Map<String, String> headers;
    private final String abandonedMetric;
    private final String recoveredMetric;

    public KlaviyoConnector(ConnectorDefinition definition, KlaviyoSettings settings) {
        super(definition, definition.endpoint());
        this.headers = Map.of(
                "Authorization",
                "Klaviyo-API-Key " + settings.apiKey(),
                "revision",
                settings.revision(),
                "Accept",
                "application/vnd.api+json");
        this.abandonedMetric = settings.metrics().abandoned();
        this.recoveredMetric = settings.metrics().recovered();
    }

    @Override
    protected Map<String, String> headers() {
        return headers;
    }

    @Override
    protected String contentType() {
        return "application/vnd.api+json";
    }

    /** A buyer's unsubscription becomes a suppression of the profile (below). */
    @Override
    public boolean pushesUnsubscribe() {
        return true;
    }

    @Override
    protected List<HttpCall> calls(OutboundEvent event, String eventId) {
        if (OutboundEvent.BUYER_UNSUBSCRIBED.equals(event.type())) {
            return List.of(HttpCall.json(
                    "POST", "/api/profile-suppression-bulk-create-jobs", EventJson.write(suppression(event.email()))));
        }
        return List.of(HttpCall.json("POST", "/api/events", EventJson.write(body(CartFacts.of(event), eventId))));
    }

    /**
     * Klaviyo's "Bulk Suppress Profiles" job (202 Accepted): a suppressed profile gets no email marketing at all,
     * whatever its consent; Klaviyo creates the profile if it has none, so the address stays suppressed there.
     */
    static ObjectNode suppression(String email) {
        ObjectNode root = EventJson.MAPPER.createObjectNode();
        ObjectNode data = root.putObject("data");
        data.put("type", "profile-suppression-bulk-create-job");
        ArrayNode profiles = data.putObject("attributes").putObject("profiles").putArray("data");
        ObjectNode profile = profiles.addObject();
        profile.put("type", "profile");
        profile.putObject("attributes").put("email", email);
        return root;
    }

    ObjectNode body(CartFacts cart, String eventId) {
        ObjectNode root = EventJson.MAPPER.createObjectNode();
        ObjectNode data = root.putObject("data");
        data.put("type", "event");
        ObjectNode attributes = data.putObject("attributes");
        attributes.set("properties", properties(cart));
        if (cart.value() != null) {
            attributes.put("value", cart.value());
        }
        putIfPresent(attributes, "value_currency", cart.currency());
        attributes.put("unique_id", eventId);
        if (cart.time() != null) {
            attributes.put("time", cart.time().toString());
        }
        ObjectNode metric = attributes.putObject("metric").putObject("data");
        metric.put("type", "metric");
        metric.putObject("attributes").put("name", cart.recovered() ? recoveredMetric : abandonedMetric);
        ObjectNode profile = attributes.putObject("profile").putObject("data");
        profile.put("type", "profile");
        ObjectNode person = profile.putObject("attributes");
        person.put("email", cart.email());
        putIfPresent(person, "first_name", cart.firstName());
        putIfPresent(person, "last_name", cart.lastName());
        if (cart.phone() != null && E164.matcher(cart.phone()).matches()) {
            person.put("phone_number", cart.phone());
        }
        return root;
    }

    private static ObjectNode properties(CartFacts cart) {
        ObjectNode properties = EventJson.MAPPER.createObjectNode();
        putIfPresent(properties, "checkout_id", cart.checkoutId());
        putIfPresent(properties, "source", cart.event().source());
        ArrayNode items = properties.putArray("items");
        ArrayNode names = properties.putArray("item_names");
        for (Item item : cart.items()) {
            ObjectNode line = items.addObject();
            putIfPresent(line, "product_id", item.productId());
            putIfPresent(line, "name", item.name());
            if (item.quantity() != null) {
                line.put("quantity", item.quantity());
            }
            if (item.unitPrice() != null) {
                line.put("price", item.unitPrice());
            }
            if (item.name() != null) {
                names.add(item.name());
            }
        }
        putIfPresent(properties, "resume_url", cart.resumeUrl());
        putIfPresent(properties, "coupon", cart.coupon());
        properties.put("value_tier", cart.valueTier());
        if (!cart.segments().isEmpty()) {
            ArrayNode segments = properties.putArray("segments");
            cart.segments().forEach(segments::add);
        }
        putIfPresent(properties, "order_id", cart.orderId());
        return properties;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
