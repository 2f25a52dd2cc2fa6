package org.cartrelay.connectors.freshdesk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
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
 * Opens a Freshdesk ticket per abandoned checkout ({@code POST /api/v2/tickets}, basic auth {@code apiKey:X}):
 * "Call back: product, value", HTML description, status open, priority by value tier, tags, the buyer as requester.
 * The ticket id from the answer is kept ({@link ExternalRefs}); on recovery the ticket gets a private note
 * ({@code POST /api/v2/tickets/{id}/notes}), and with {@code onRecovery: solve} then status resolved
 * ({@code PUT /api/v2/tickets/{id}}), the second call retried alone when it fails. Without a known ticket the
 * recovery opens a short ticket of its own, unless {@code recoveryTicket: false}. Freshdesk documents no
 * idempotency key, so a retry after a lost answer can open a second ticket.
 */
class FreshdeskConnector extends VendorHttpConnector {

    private static final Logger log = LoggerFactory.getLogger(FreshdeskConnector.class);
    static final int OPEN = 2;
    static final int RESOLVED = 4;
    static final int LOW = 1;
    static final int PORTAL = 2;

    private final ExternalRefs refs;
    private final Map<String, String> headers;
    private final int highPriority;
    private final int normalPriority;
    private final List<String> tags = new ArrayList<>();
    private final boolean solveOnRecovery;
    private final boolean recoveryTicket;

    FreshdeskConnector(ConnectorDefinition definition, ExternalRefs refs) {
        super(definition, definition.endpoint());
        this.refs = refs;
        JsonNode config = definition.config();
        String pair = config.get("apiKey").asText() + ":X";
        this.headers = Map.of("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        this.highPriority = config.path("priorities").path("high").asInt(4);
        this.normalPriority = config.path("priorities").path("normal").asInt(2);
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
            return List.of(HttpCall.json("POST", "/api/v2/tickets", EventJson.write(ticket(cart, TicketText.subject(cart),
                    TicketText.abandonedLines(cart), CartFacts.HIGH.equals(cart.valueTier()) ? highPriority : normalPriority)))
                    .then(answer -> remember(key, answer)));
        }
        Optional<String> ticketId = refs.find(name(), key);
        if (ticketId.isPresent()) {
            ObjectNode note = EventJson.MAPPER.createObjectNode();
            note.put("body", TicketText.html(TicketText.recoveredLines(cart)));
            note.put("private", true);
            HttpCall addNote = HttpCall.json("POST", "/api/v2/tickets/" + ticketId.get() + "/notes", EventJson.write(note));
            if (!solveOnRecovery) {
                return List.of(addNote);
            }
            ObjectNode status = EventJson.MAPPER.createObjectNode();
            status.put("status", RESOLVED);
            return List.of(addNote, HttpCall.json("PUT", "/api/v2/tickets/" + ticketId.get(), EventJson.write(status)));
        }
        if (!recoveryTicket) {
            return List.of();
        }
        return List.of(HttpCall.json("POST", "/api/v2/tickets", EventJson.write(ticket(cart,
                TicketText.recoveredSubject(cart), TicketText.recoveredLines(cart), LOW))));
    }

    private ObjectNode ticket(CartFacts cart, String subject, List<String> lines, int priority) {
        ObjectNode ticket = EventJson.MAPPER.createObjectNode();
        ticket.put("email", cart.email());
        if (cart.fullName() != null) {
            ticket.put("name", cart.fullName());
        }
        ticket.put("subject", subject);
        ticket.put("description", TicketText.html(lines));
        ticket.put("status", OPEN);
        ticket.put("priority", priority);
        ticket.put("source", PORTAL);
        ArrayNode list = ticket.putArray("tags");
        TicketText.tags(cart, tags).forEach(list::add);
        return ticket;
    }

    private void remember(String key, String answer) {
        JsonNode id = Answers.field(answer, "/id");
        if (id == null) {
            log.warn("Connector '{}': Freshdesk's answer to the ticket it opened has no id; the recovery of this "
                    + "checkout will open a ticket of its own", name());
            return;
        }
        refs.save(name(), key, id.asText());
    }
}
