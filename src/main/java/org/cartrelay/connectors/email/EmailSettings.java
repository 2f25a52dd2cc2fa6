package org.cartrelay.connectors.email;

import java.time.Duration;
import java.util.List;

/** The keys of {@code type: email}. */
public record EmailSettings(Smtp smtp, String from, String replyTo, List<Step> steps, Unsubscribe unsubscribe) {

    public EmailSettings {
        unsubscribe = unsubscribe == null ? new Unsubscribe(null, null) : unsubscribe;
    }

    /** The SMTP server; no authentication without a username. */
    public record Smtp(String host, int port, String username, String password, boolean starttls) {}

    /** One follow-up: due {@code after} the abandonment; without a subject, the template's own. */
    public record Step(Duration after, String template, String subject) {}

    /** The List-Unsubscribe targets the file gives; either may be null. */
    public record Unsubscribe(String url, String mailto) {}
}
