package org.cartrelay.privacy.unsubscribe;

import java.time.Clock;
import java.time.Instant;

import org.cartrelay.delivery.Fanout;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.store.SuppressionStore;
import org.cartrelay.support.Ids;
import org.cartrelay.support.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts buyers on the suppression list and takes them off. A new entry, in the same transaction, publishes a
 * {@code buyer.unsubscribed} event to the mailing tools that keep a list of their own (Mailchimp, Klaviyo), through
 * the outbox, so it is retried and dead-lettered like any delivery. Deliveries already written for the buyer are
 * withheld by the worker, which asks the list again right before it sends to a mailing connector.
 */
@Component
public class Unsubscriptions {

    /** Where an unsubscription came from. */
    public static final String LINK = "link";

    public static final String API = "api";

    private static final Logger log = LoggerFactory.getLogger(Unsubscriptions.class);

    private final SuppressionStore store;
    private final UnsubscribeKeys keys;
    private final Fanout fanout;
    private final Clock clock;

    public Unsubscriptions(SuppressionStore store, UnsubscribeKeys keys, Fanout fanout, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.fanout = fanout;
        this.clock = clock;
    }

    /** The buyer's entry and whether this call made it (false: they were on the list already). */
    public record Outcome(SuppressionStore.Entry entry, boolean added) {}

    @Transactional
    public Outcome unsubscribe(String email, String source, String reason) {
        String address = UnsubscribeKeys.normalise(email);
        Instant now = clock.instant();
        SuppressionStore.Entry entry = new SuppressionStore.Entry(keys.hash(address), address, source, reason, now);
        if (!store.add(entry)) {
            return new Outcome(store.find(entry.emailHash()), false);
        }
        String eventId = Ids.next("evt");
        // no checkout: the event's own id stands in for it (its delivery order key)
        fanout.publish(OutboundEvent.unsubscribed(eventId, address, source, now), eventId, now);
        log.info("Buyer {} unsubscribed ({})", Masking.email(address), source);
        return new Outcome(entry, true);
    }

    /** The buyer's entry, or null when they are not on the list. */
    public SuppressionStore.Entry find(String email) {
        return store.find(keys.hash(email));
    }

    /** Takes the buyer off the list (an admin's decision); the mailing tools are not told. @return whether listed */
    public boolean remove(String email) {
        boolean removed = store.remove(keys.hash(email));
        if (removed) {
            log.info("Buyer {} taken off the suppression list", Masking.email(email));
        }
        return removed;
    }
}
