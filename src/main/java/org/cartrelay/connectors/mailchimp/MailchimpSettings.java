package org.cartrelay.connectors.mailchimp;

import java.util.List;

/** The keys of {@code type: mailchimp}. */
public record MailchimpSettings(String apiKey, String listId, String statusIfNew, List<String> tags) {

    public MailchimpSettings {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
