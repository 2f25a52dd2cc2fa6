package org.cartrelay.connectors.zendesk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.http.Answers;
import org.cartrelay.connectors.http.CartFacts;
import org.cartrelay.connectors.http.ExternalRefs;
import org.cartrelay.connectors.http.HttpCall;
import org.cartrelay.connectors.http.TicketText;
import org.cartrelay.connectors.http.VendorHttpConnector;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Opens a Zendesk task ticket per abandoned checkout ({@code POST /api/v2/tickets.json}): "Call back: product, value",
 * priority by value tier, tags, the buyer as requester, {@code Idempotency-Key} = the event id so a retry after a
 * lost answer opens no second ticket. The ticket id from the answer is kept ({@link ExternalRefs}); on recovery the
 * ticket gets a private note, or a note and status {@code solved} ({@code PUT /api/v2/tickets/{id}.json}). Without a
 * known ticket the recovery opens a short ticket of its own, unless {@code recoveryTicket: false}.
 */
class ZendeskConnector extends VendorHttpConnector {

    private static final Logger log = LoggerFactory.getLogger(ZendeskConnector.class);

    private final ExternalRefs refs;
    private final Map<String, String> headers;
    private final String highPriority;
    private final String normalPriority;
    private final List<String> tags = new ArrayList<>();
    private final boolean solveOnRecovery;
    private final boolean recoveryTicket;

    ZendeskConnector(ConnectorDefinition definition, ExternalRefs refs) {
        super(definition, definition.endpoint());
        this.refs = refs;
        this.headers = definition.auth().headers();
        JsonNode config = definition.config();
        this.highPriority = config.path("priorities").path("high").asText("urgent");
        this.normalPriority = config.path("priorities").path("normal").asText("normal");
        config.path("tags").forEach(tag -> tags.add(tag.asText()));
        this.solveOnRecovery = "solve".equals(config.path("onRecovery").asText("note"));
        this.recoveryTicket = config.path("recoveryTicket").asBoolean(true);
    }

    @Override
    protected Map<String, String> headers() {
        return headers;
    }

    @Override
    protected List<HttpCall> calls(OutboundEvent event, String eventId) {
        CartFacts cart = CartFacts.of(event);
        String key = ExternalRefs.keyOf(event);
        if (!cart.recovered()) {
            return List.of(create(ticket(cart, TicketText.subject(cart), TicketText.abandonedLines(cart),
                    CartFacts.HIGH.equals(cart.valueTier()) ? highPriority : normalPriority), eventId)
                    .then(answer -> remember(key, answer)));
        }
        Optional<String> ticketId = refs.find(name(), key);
        if (ticketId.isPresent()) {
            ObjectNode body = EventJson.MAPPER.createObjectNode();
            ObjectNode ticket = body.putObject("ticket");
            ticket.putObject("comment").put("body", String.join("\n", TicketText.recoveredLines(cart))).put("public", false);
            if (solveOnRecovery) {
                ticket.put("status", "solved");
            }
            ticket.set("additional_tags", strings(List.of(TicketText.RECOVERED_TAG)));
            return List.of(HttpCall.json("PUT", "/api/v2/tickets/" + ticketId.get() + ".json", EventJson.write(body)));
        }
        if (!recoveryTicket) {
            return List.of();
        }
        return List.of(create(ticket(cart, TicketText.recoveredSubject(cart), TicketText.recoveredLines(cart), "low"),
                eventId));
    }

    private static HttpCall create(ObjectNode body, String eventId) {
        return HttpCall.json("POST", "/api/v2/tickets.json", EventJson.write(body))
                .withHeaders(Map.of("Idempotency-Key", eventId));
    }

    private ObjectNode ticket(CartFacts cart, String subject, List<String> lines, String priority) {
        ObjectNode body = EventJson.MAPPER.createObjectNode();
        ObjectNode ticket = body.putObject("ticket");
        ticket.put("subject", subject);
        ticket.putObject("comment").put("body", String.join("\n", lines));
        ticket.put("priority", priority);
        ticket.put("type", "task");
        ticket.set("tags", strings(TicketText.tags(cart, tags)));
        ObjectNode requester = ticket.putObject("requester");
        requester.put("name", cart.fullName() == null ? cart.email() : cart.fullName());
        requester.put("email", cart.email());
        return body;
    }

    private void remember(String key, String answer) {
        JsonNode id = Answers.field(answer, "/ticket/id");
        if (id == null) {
            log.warn("Connector '{}': Zendesk's answer to the ticket it opened has no ticket.id; the recovery of this "
                    + "checkout will open a ticket of its own", name());
            return;
        }
        refs.save(name(), key, id.asText());
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = EventJson.MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
