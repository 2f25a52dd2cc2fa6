package org.cartrelay.connectors.zendesk;

import java.util.List;
import java.util.Map;

import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.http.CartFacts;
import org.cartrelay.connectors.http.ExternalRefs;
import org.cartrelay.connectors.http.HttpCall;
import org.cartrelay.connectors.http.TicketConnector;
import org.cartrelay.connectors.http.TicketText;
import org.cartrelay.event.EventJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Opens a Zendesk task ticket per abandoned checkout ({@code POST /api/v2/tickets.json}): "Call back: product, value",
 * priority by value tier, tags, the buyer as requester, {@code Idempotency-Key} = the event id so a retry after a
 * lost answer opens no second ticket. The ticket id from the answer is kept ({@link ExternalRefs}); on recovery the
 * ticket gets a private note, or a note and status {@code solved} ({@code PUT /api/v2/tickets/{id}.json}). Without a
 * known ticket the recovery opens a short ticket of its own, unless {@code recoveryTicket: false}.
 */
public class ZendeskConnector extends TicketConnector {

    private final Map<String, String> headers;

    public ZendeskConnector(ConnectorDefinition definition, ZendeskSettings settings, ExternalRefs refs) {
        super(definition, settings, refs);
        this.headers = definition.auth().headers();
    }

    @Override
    protected Map<String, String> headers() {
        return headers;
    }

    @Override
    protected HttpCall open(CartFacts cart, String subject, List<String> lines, JsonNode priority, String eventId) {
        ObjectNode body = EventJson.MAPPER.createObjectNode();
        ObjectNode ticket = body.putObject("ticket");
        ticket.put("subject", subject);
        ticket.putObject("comment").put("body", String.join("\n", lines));
        ticket.set("priority", priority);
        ticket.put("type", "task");
        ticket.set("tags", strings(TicketText.tags(cart, tags)));
        ObjectNode requester = ticket.putObject("requester");
        requester.put("name", cart.fullName() == null ? cart.email() : cart.fullName());
        requester.put("email", cart.email());
        return HttpCall.json("POST", "/api/v2/tickets.json", EventJson.write(body))
                .withHeaders(Map.of("Idempotency-Key", eventId));
    }

    @Override
    protected List<HttpCall> recover(CartFacts cart, String ticketId) {
        ObjectNode body = EventJson.MAPPER.createObjectNode();
        ObjectNode ticket = body.putObject("ticket");
        ticket.putObject("comment")
                .put("body", String.join("\n", TicketText.recoveredLines(cart)))
                .put("public", false);
        if (solveOnRecovery) {
            ticket.put("status", "solved");
        }
        ticket.set("additional_tags", strings(List.of(TicketText.RECOVERED_TAG)));
        return List.of(HttpCall.json("PUT", "/api/v2/tickets/" + ticketId + ".json", EventJson.write(body)));
    }

    @Override
    protected JsonNode lowPriority() {
        return TextNode.valueOf("low");
    }

    @Override
    protected String ticketIdPointer() {
        return "/ticket/id";
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = EventJson.MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
