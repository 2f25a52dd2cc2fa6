package org.cartrelay.connectors.freshdesk;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.http.Answers;
import org.cartrelay.connectors.http.CartFacts;
import org.cartrelay.connectors.http.ExternalRefs;
import org.cartrelay.connectors.http.HttpCall;
import org.cartrelay.connectors.http.TicketConnector;
import org.cartrelay.connectors.http.TicketText;
import org.cartrelay.event.EventJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Opens a Freshdesk ticket per abandoned checkout ({@code POST /api/v2/tickets}, basic auth {@code apiKey:X}):
 * "Call back: product, value", HTML description, status open, priority by value tier, tags, the buyer as requester.
 * The ticket id from the answer is kept ({@link ExternalRefs}); on recovery the ticket gets a private note
 * ({@code POST /api/v2/tickets/{id}/notes}), and with {@code onRecovery: solve} then status resolved
 * ({@code PUT /api/v2/tickets/{id}}), the second call retried alone when it fails. Without a known ticket the
 * recovery opens a short ticket of its own, unless {@code recoveryTicket: false}.
 * <p>
 * Freshdesk takes no idempotency key, so every ticket carries the event id as a tag, and a retry first lists the
 * requester's tickets ({@code GET /api/v2/tickets?email=…}, newest first, which needs no search index) and takes the
 * one with that tag, if an earlier attempt opened it and its answer was lost, instead of opening a second.
 */
public class FreshdeskConnector extends TicketConnector {

    static final int OPEN = 2;
    static final int RESOLVED = 4;
    static final int LOW = 1;
    static final int PORTAL = 2;

    private final Map<String, String> headers;

    public FreshdeskConnector(ConnectorDefinition definition, FreshdeskSettings settings, ExternalRefs refs) {
        super(definition, settings, refs);
        String pair = settings.apiKey() + ":X";
        this.headers = Map.of(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    protected Map<String, String> headers() {
        return headers;
    }

    @Override
    protected HttpCall open(CartFacts cart, String subject, List<String> lines, JsonNode priority, String eventId) {
        ObjectNode ticket = EventJson.MAPPER.createObjectNode();
        ticket.put("email", cart.email());
        if (cart.fullName() != null) {
            ticket.put("name", cart.fullName());
        }
        ticket.put("subject", subject);
        ticket.put("description", TicketText.html(lines));
        ticket.put("status", OPEN);
        ticket.set("priority", priority);
        ticket.put("source", PORTAL);
        ArrayNode list = ticket.putArray("tags");
        TicketText.tags(cart, tags).forEach(list::add);
        list.add(eventId);
        HttpCall lookup = HttpCall.json(
                "GET",
                "/api/v2/tickets?email="
                        + URLEncoder.encode(cart.email(), StandardCharsets.UTF_8)
                        + "&order_by=created_at&order_type=desc&per_page=100",
                null);
        return HttpCall.json("POST", "/api/v2/tickets", EventJson.write(ticket))
                .unlessFound(lookup, answer -> taggedTicket(answer, eventId));
    }

    /** The ticket among the listed ones that carries the event's tag, as an answer holding its id; else null. */
    static String taggedTicket(String listed, String eventId) {
        JsonNode tickets = Answers.field(listed, "");
        if (tickets == null || !tickets.isArray()) {
            return null;
        }
        for (JsonNode ticket : tickets) {
            for (JsonNode tag : ticket.path("tags")) {
                if (eventId.equals(tag.asText()) && ticket.has("id")) {
                    ObjectNode found = EventJson.MAPPER.createObjectNode();
                    found.set("id", ticket.get("id"));
                    return EventJson.write(found);
                }
            }
        }
        return null;
    }

    @Override
    protected List<HttpCall> recover(CartFacts cart, String ticketId) {
        ObjectNode note = EventJson.MAPPER.createObjectNode();
        note.put("body", TicketText.html(TicketText.recoveredLines(cart)));
        note.put("private", true);
        HttpCall addNote = HttpCall.json("POST", "/api/v2/tickets/" + ticketId + "/notes", EventJson.write(note));
        if (!solveOnRecovery) {
            return List.of(addNote);
        }
        ObjectNode status = EventJson.MAPPER.createObjectNode();
        status.put("status", RESOLVED);
        return List.of(addNote, HttpCall.json("PUT", "/api/v2/tickets/" + ticketId, EventJson.write(status)));
    }

    @Override
    protected JsonNode lowPriority() {
        return IntNode.valueOf(LOW);
    }

    @Override
    protected String ticketIdPointer() {
        return "/id";
    }
}
