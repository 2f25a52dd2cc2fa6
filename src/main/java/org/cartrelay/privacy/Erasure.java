package org.cartrelay.privacy;

import java.util.Map;

import org.cartrelay.store.PrivacyStore;
import org.cartrelay.support.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/** Erases every trace of one buyer's email address from the hub's database. */
@Component
public class Erasure {

    private static final Logger log = LoggerFactory.getLogger(Erasure.class);

    private final PrivacyStore store;
    private final ApplicationEventPublisher events;

    public Erasure(PrivacyStore store, ApplicationEventPublisher events) {
        this.store = store;
        this.events = events;
    }

    /** @return what was removed, per kind */
    public Map<String, Integer> erase(String email) {
        Map<String, Integer> counts = store.erase(email);
        events.publishEvent(new CustomerErased(email)); // what the hub keeps outside the database
        log.info("Erased customer {}: {}", Masking.email(email), counts);
        return counts;
    }
}
