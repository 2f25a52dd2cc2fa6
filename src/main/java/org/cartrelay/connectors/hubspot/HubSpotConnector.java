package org.cartrelay.connectors.hubspot;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.PermanentDeliveryException;
import org.cartrelay.connectors.RateLimitedException;
import org.cartrelay.connectors.http.Answers;
import org.cartrelay.connectors.http.CartFacts;
import org.cartrelay.connectors.http.HttpCall;
import org.cartrelay.connectors.http.VendorHttpConnector;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.support.Masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Upserts the buyer as a HubSpot contact by email ({@code POST /crm/v3/objects/contacts/batch/upsert}, one input)
 * with the cart as contact properties: name, phone, the abandoned products, value and currency, resume link, and a
 * status property that reads {@code abandoned cart} and, once the buyer paid, {@code recovered}. Which HubSpot
 * property each cart field goes to is configurable; a field without a value is not sent, so it never clears what
 * HubSpot already has.
 * <p>
 * The batch API answers 207 when an input failed, with HubSpot's {@code errors}: {@code RATE_LIMITS} slows the
 * connector down as a 429 would; a category that says HubSpot had trouble ({@code INTERNAL_ERROR}, a timeout, a
 * lock or conflict) is retried; any other ({@code VALIDATION_ERROR}, {@code INVALID_EMAIL}, a missing property or
 * scope) is dead-lettered with HubSpot's message, since the same contact would be refused again.
 */
public class HubSpotConnector extends VendorHttpConnector {

    static final String ABANDONED = "abandoned cart";
    static final String RECOVERED = "recovered";
    /** Error categories in which HubSpot says it had trouble, not the contact. */
    private static final Pattern TRANSIENT = Pattern.compile("INTERNAL|UNAVAILABLE|TIMEOUT|LOCK|CONFLICT");

    /** The cart fields a file may map, in the order they are sent. */
    private static final Map<String, Function<CartFacts, String>> FIELDS = fields();

    private final Map<String, String> headers;
    private final Map<String, String> propertyOf = new LinkedHashMap<>();

    /** A field the settings map to no property (coupon, valueTier, checkoutId by default) is not sent. */
    public HubSpotConnector(ConnectorDefinition definition, HubSpotSettings settings) {
        super(definition, definition.endpoint());
        this.headers = definition.auth().headers();
        FIELDS.keySet().forEach(field -> {
            String name = settings.properties().get(field);
            if (name != null) {
                propertyOf.put(field, name);
            }
        });
    }

    private static Map<String, Function<CartFacts, String>> fields() {
        Map<String, Function<CartFacts, String>> fields = new LinkedHashMap<>();
        fields.put("firstName", CartFacts::firstName);
        fields.put("lastName", CartFacts::lastName);
        fields.put("phone", CartFacts::phone);
        fields.put("products", CartFacts::products);
        fields.put("value", cart -> cart.value() == null ? null : cart.value().toPlainString());
        fields.put("currency", CartFacts::currency);
        fields.put("resumeUrl", CartFacts::resumeUrl);
        fields.put("status", cart -> cart.recovered() ? RECOVERED : ABANDONED);
        fields.put("coupon", CartFacts::coupon);
        fields.put("valueTier", CartFacts::valueTier);
        fields.put("checkoutId", CartFacts::checkoutId);
        return fields;
    }

    @Override
    protected Map<String, String> headers() {
        return headers;
    }

    @Override
    protected void check(HttpCall call, int status, String answer) {
        JsonNode errors = Answers.field(answer, "/errors");
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            return;
        }
        JsonNode first = errors.get(0);
        String category = first.path("category").asText("");
        String problem = "HubSpot answered " + status + " and did not take the contact: " + category + ": "
                + Masking.emailsIn(first.path("message").asText("no message"));
        if (category.equals("RATE_LIMITS")) {
            throw new RateLimitedException(problem, null);
        }
        if (TRANSIENT.matcher(category).find()) {
            throw new IllegalStateException(problem);
        }
        throw new PermanentDeliveryException(problem);
    }

    @Override
    protected List<HttpCall> calls(OutboundEvent event, String eventId) {
        return List.of(HttpCall.json(
                "POST", "/crm/v3/objects/contacts/batch/upsert", EventJson.write(body(CartFacts.of(event)))));
    }

    private ObjectNode body(CartFacts cart) {
        ObjectNode root = EventJson.MAPPER.createObjectNode();
        ObjectNode input = root.putArray("inputs").addObject();
        input.put("id", cart.email());
        input.put("idProperty", "email");
        ObjectNode properties = input.putObject("properties");
        properties.put("email", cart.email());
        propertyOf.forEach((field, property) -> {
            String value = FIELDS.get(field).apply(cart);
            if (value != null) {
                properties.put(property, value);
            }
        });
        return root;
    }
}
