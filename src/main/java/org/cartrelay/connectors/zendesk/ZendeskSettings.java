package org.cartrelay.connectors.zendesk;

import java.util.List;

import org.cartrelay.connectors.http.TicketSettings;

/** The keys of {@code type: zendesk} besides {@code auth}; priorities are Zendesk's names. */
public record ZendeskSettings(Priorities priorities, List<String> tags, String onRecovery, boolean recoveryTicket)
        implements TicketSettings {}
