package org.cartrelay.connectors.http;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The keys every help desk's connector has, besides its auth; priorities in the desk's own form. */
public interface TicketSettings {

    Priorities priorities();

    /** Extra tags of every ticket; none when null. */
    List<String> tags();

    /** {@code note} or {@code solve}. */
    String onRecovery();

    boolean recoveryTicket();

    /** The ticket priority of a high-value cart and of any other. */
    record Priorities(JsonNode high, JsonNode normal) {}
}
