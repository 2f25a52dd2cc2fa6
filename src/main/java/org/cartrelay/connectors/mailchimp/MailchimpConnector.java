package org.cartrelay.connectors.mailchimp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.http.CartFacts;
import org.cartrelay.connectors.http.HttpCall;
import org.cartrelay.connectors.http.VendorHttpConnector;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Two calls per event to the Mailchimp Marketing API: the member upsert at the MD5 of the trimmed, lower-cased email
 * ({@code PUT /3.0/lists/{listId}/members/{hash}}, with {@code status_if_new} and the name as merge fields), then the
 * tags call ({@code POST …/members/{hash}/tags}): {@code abandoned-cart}, the segment tags and the file's tags active
 * on abandonment, {@code abandoned-cart} inactive on recovery. The tags call needs the member, hence the order; a
 * retry after a failed tags call makes only the tags call (PROGRESS). A {@code buyer.unsubscribed} event is one member
 * upsert with the status {@code unsubscribed}.
 */
public class MailchimpConnector extends VendorHttpConnector {

    static final String ABANDONED_CART = "abandoned-cart";
    private static final Pattern DATA_CENTRE = Pattern.compile("-([a-z]+[0-9]+)$");

    private final Map<String, String> headers;
    private final String listId;
    private final String statusIfNew;
    private final List<String> tags;

    public MailchimpConnector(ConnectorDefinition definition, MailchimpSettings settings) {
        super(definition, baseUrl(definition));
        String pair = "cartrelay:" + settings.apiKey();
        this.headers = Map.of(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        this.listId = settings.listId();
        this.statusIfNew = settings.statusIfNew();
        this.tags = settings.tags();
    }

    /** {@code endpoint} if given, else the data centre's API host named by the key's {@code -usNN} suffix. */
    static String baseUrl(ConnectorDefinition definition) {
        if (definition.endpoint() != null) {
            return definition.endpoint();
        }
        Matcher dc = DATA_CENTRE.matcher(definition.config().get("apiKey").asText());
        if (!dc.find()) {
            throw new ConnectorConfigException("Connector file " + definition.file() + ": key 'apiKey' must end in "
                    + "its data centre (such as -us6), or key 'endpoint' must give the API base URL "
                    + "(such as https://us6.api.mailchimp.com).");
        }
        return "https://" + dc.group(1) + ".api.mailchimp.com";
    }

    /** Mailchimp's member id: the MD5 of the lower-cased email, hex. */
    static String subscriberHash(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest(email.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    @Override
    protected Map<String, String> headers() {
        return headers;
    }

    /** A buyer's unsubscription becomes the member's status {@code unsubscribed} (one PUT, below). */
    @Override
    public boolean pushesUnsubscribe() {
        return true;
    }

    @Override
    protected List<HttpCall> calls(OutboundEvent event, String eventId) {
        if (OutboundEvent.BUYER_UNSUBSCRIBED.equals(event.type())) {
            // the upsert sets an existing member's status and adds a missing one as unsubscribed, so a later import
            // or signup form of the shop's cannot subscribe the buyer again without their own new opt-in
            ObjectNode body = EventJson.MAPPER.createObjectNode();
            body.put("email_address", event.email().trim());
            body.put("status", "unsubscribed");
            body.put("status_if_new", "unsubscribed");
            return List.of(HttpCall.json(
                    "PUT",
                    "/3.0/lists/" + listId + "/members/" + subscriberHash(event.email()),
                    EventJson.write(body)));
        }
        CartFacts cart = CartFacts.of(event);
        String member = "/3.0/lists/" + listId + "/members/" + subscriberHash(cart.email());
        return List.of(
                HttpCall.json("PUT", member, EventJson.write(member(cart))),
                HttpCall.json("POST", member + "/tags", EventJson.write(tags(cart))));
    }

    private ObjectNode member(CartFacts cart) {
        ObjectNode body = EventJson.MAPPER.createObjectNode();
        body.put("email_address", cart.email().trim());
        body.put("status_if_new", statusIfNew(cart));
        ObjectNode merge = EventJson.MAPPER.createObjectNode();
        if (cart.firstName() != null) {
            merge.put("FNAME", cart.firstName());
        }
        if (cart.lastName() != null) {
            merge.put("LNAME", cart.lastName());
        }
        if (!merge.isEmpty()) {
            body.set("merge_fields", merge);
        }
        return body;
    }

    /** Never {@code subscribed} without the buyer's consent, whatever the file says. */
    private String statusIfNew(CartFacts cart) {
        boolean consented = cart.event().consent() != null
                && Boolean.TRUE.equals(cart.event().consent().newsletter());
        return "subscribed".equals(statusIfNew) && !consented ? "transactional" : statusIfNew;
    }

    private ObjectNode tags(CartFacts cart) {
        ObjectNode body = EventJson.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("tags");
        if (cart.recovered()) {
            list.addObject().put("name", ABANDONED_CART).put("status", "inactive");
            return body;
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(ABANDONED_CART);
        names.addAll(cart.segments());
        names.addAll(tags);
        names.forEach(name -> list.addObject().put("name", name).put("status", "active"));
        return body;
    }
}
