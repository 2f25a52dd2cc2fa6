package org.cartrelay.connectors.freshdesk;

import java.util.List;

import org.cartrelay.connectors.http.TicketSettings;

/** The keys of {@code type: freshdesk}; priorities are Freshdesk's numbers, 1 low to 4 urgent. */
public record FreshdeskSettings(
        String apiKey, Priorities priorities, List<String> tags, String onRecovery, boolean recoveryTicket)
        implements TicketSettings {}
