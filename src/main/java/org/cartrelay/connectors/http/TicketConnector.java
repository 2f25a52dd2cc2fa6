package org.cartrelay.connectors.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.event.OutboundEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A help desk's connector: one call-back ticket per abandoned checkout, priority by value tier, whose id the answer
 * gives and {@link ExternalRefs} keeps. On recovery the known ticket gets what the desk does then (a private note,
 * and with {@code onRecovery: solve} its closing); without a known ticket the recovery opens a short ticket of its
 * own, unless {@code recoveryTicket: false}. Keys: {@code priorities.high}, {@code priorities.normal}, {@code tags},
 * {@code onRecovery}, {@code recoveryTicket}.
 */
public abstract class TicketConnector extends VendorHttpConnector {

    private static final Logger log = LoggerFactory.getLogger(TicketConnector.class);

    private final ExternalRefs refs;
    private final JsonNode highPriority;
    private final JsonNode normalPriority;
    private final boolean recoveryTicket;
    /** Extra tags of every ticket, from the file. */
    protected final List<String> tags = new ArrayList<>();
    /** {@code onRecovery: solve}: the recovery closes the ticket besides noting it. */
    protected final boolean solveOnRecovery;

    protected TicketConnector(ConnectorDefinition definition, TicketSettings settings, ExternalRefs refs) {
        super(definition, definition.endpoint());
        this.refs = refs;
        this.highPriority = settings.priorities().high();
        this.normalPriority = settings.priorities().normal();
        if (settings.tags() != null) {
            tags.addAll(settings.tags());
        }
        this.solveOnRecovery = "solve".equals(settings.onRecovery());
        this.recoveryTicket = settings.recoveryTicket();
    }

    /** The call that opens a ticket; {@code eventId} may serve as its idempotency key. */
    protected abstract HttpCall open(
            CartFacts cart, String subject, List<String> lines, JsonNode priority, String eventId);

    /** The calls that tell the known ticket of the recovery. */
    protected abstract List<HttpCall> recover(CartFacts cart, String ticketId);

    /** The desk's lowest priority, for the short ticket of a recovery. */
    protected abstract JsonNode lowPriority();

    /** Where the ticket id is in the answer to {@link #open}, as a JSON pointer. */
    protected abstract String ticketIdPointer();

    @Override
    protected final List<HttpCall> calls(OutboundEvent event, String eventId) {
        CartFacts cart = CartFacts.of(event);
        String key = ExternalRefs.keyOf(event);
        if (!cart.recovered()) {
            JsonNode priority = CartFacts.HIGH.equals(cart.valueTier()) ? highPriority : normalPriority;
            return List.of(open(cart, TicketText.subject(cart), TicketText.abandonedLines(cart), priority, eventId)
                    .then(answer -> remember(key, answer)));
        }
        Optional<String> ticketId = refs.find(name(), key);
        if (ticketId.isPresent()) {
            return recover(cart, ticketId.get());
        }
        if (!recoveryTicket) {
            return List.of();
        }
        return List.of(
                open(cart, TicketText.recoveredSubject(cart), TicketText.recoveredLines(cart), lowPriority(), eventId));
    }

    private void remember(String key, String answer) {
        JsonNode id = Answers.field(answer, ticketIdPointer());
        if (id == null) {
            log.warn(
                    "Connector '{}': the answer to the ticket it opened has no id at {}; the recovery of this "
                            + "checkout will open a ticket of its own",
                    name(),
                    ticketIdPointer());
            return;
        }
        refs.save(name(), key, id.asText());
    }
}
