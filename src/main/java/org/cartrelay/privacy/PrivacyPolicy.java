package org.cartrelay.privacy;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.CartRelayProperties.EuBuyers;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.event.OutboundEvent;
import org.springframework.stereotype.Component;

/**
 * Whether an outbound event may go to a connector (SPEC section 4): the hub's policy for buyers in EU countries
 * ({@code cartrelay.policy.eu-buyers}), then the connector's own {@code requireConsent}. A withheld delivery is
 * recorded as {@code suppressed} with the reason given here.
 */
@Component
public class PrivacyPolicy {

    private final EuBuyers euBuyers;

    public PrivacyPolicy(CartRelayProperties properties) {
        this.euBuyers = properties.policy().euBuyers();
    }

    /** @return why the event must not go to this connector, or null when it may */
    public String withheld(OutboundEvent event, ConnectorDefinition connector) {
        boolean consent = event.consent() != null && Boolean.TRUE.equals(event.consent().newsletter());
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
}
