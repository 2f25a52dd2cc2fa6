package org.cartrelay.privacy;

import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.CartRelayProperties.EuBuyers;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.privacy.unsubscribe.UnsubscribeKeys;
import org.cartrelay.store.SuppressionStore;
import org.springframework.stereotype.Component;

/**
 * Whether an outbound event may go to a connector: never to a mailing connector
 * ({@code respectUnsubscribe}) when the buyer is on the suppression list; then the hub's policy for buyers in EU
 * countries ({@code cartrelay.policy.eu-buyers}); then the connector's own {@code requireConsent}. A withheld delivery
 * is recorded as {@code suppressed} with the reason given here.
 */
@Component
public class PrivacyPolicy {

    private final EuBuyers euBuyers;
    private final SuppressionStore suppressions;
    private final UnsubscribeKeys keys;

    public PrivacyPolicy(CartRelayProperties properties, SuppressionStore suppressions, UnsubscribeKeys keys) {
        this.euBuyers = properties.policy().euBuyers();
        this.suppressions = suppressions;
        this.keys = keys;
    }

    /** @return why the event must not go to this connector, or null when it may */
    public String withheld(OutboundEvent event, ConnectorDefinition connector) {
        return withheld(event, connector, connector.respectUnsubscribe() ? unsubscribed(Set.of(event)) : Map.of());
    }

    /**
     * The same, with the suppression list's entries of the events' buyers read beforehand
     * ({@link #unsubscribed(Collection)}), so a batch of events costs one look-up.
     */
    public String withheld(
            OutboundEvent event, ConnectorDefinition connector, Map<String, SuppressionStore.Entry> unsubscribed) {
        if (connector.respectUnsubscribe() && event.email() != null) {
            SuppressionStore.Entry entry = unsubscribed.get(UnsubscribeKeys.normalise(event.email()));
            if (entry != null) {
                return reason(entry);
            }
        }
        boolean consent =
                event.consent() != null && Boolean.TRUE.equals(event.consent().newsletter());
        if (EuCountries.isEuBuyer(event)) {
            if (euBuyers == EuBuyers.EXCLUDE) {
                return "The buyer is in an EU country and cartrelay.policy.eu-buyers is exclude.";
            }
            if (euBuyers == EuBuyers.REQUIRE_CONSENT && !consent) {
                return "The buyer is in an EU country and gave no newsletter consent, which "
                        + "cartrelay.policy.eu-buyers (require-consent) requires.";
            }
        }
        if (connector.requireConsent() && !consent) {
            return "The buyer gave no newsletter consent and this connector requires it (requireConsent).";
        }
        return null;
    }

    /** The suppression list's entries of these events' buyers, by normalised address. */
    public Map<String, SuppressionStore.Entry> unsubscribed(Collection<OutboundEvent> events) {
        Map<String, String> byHash = new HashMap<>();
        Set<String> emails = new LinkedHashSet<>();
        for (OutboundEvent event : events) {
            if (event.email() != null) {
                emails.add(UnsubscribeKeys.normalise(event.email()));
            }
        }
        if (emails.isEmpty()) {
            return Map.of();
        }
        emails.forEach(email -> byHash.put(keys.hash(email), email));
        Map<String, SuppressionStore.Entry> found = new HashMap<>();
        suppressions.findAll(byHash.keySet()).forEach((hash, entry) -> found.put(byHash.get(hash), entry));
        return found;
    }

    /** Why a mailing connector must not mail this buyer now (they unsubscribed), or null. */
    public String unsubscribedReason(String email) {
        if (email == null) {
            return null;
        }
        SuppressionStore.Entry entry = suppressions.find(keys.hash(email));
        return entry == null ? null : reason(entry);
    }

    static String reason(SuppressionStore.Entry entry) {
        return "The buyer unsubscribed on "
                + entry.createdAt().atZone(ZoneOffset.UTC).toLocalDate() + " (" + entry.source() + ").";
    }
}
