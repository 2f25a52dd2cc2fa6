package org.cartrelay.privacy;

import java.util.Map;

import org.cartrelay.store.PrivacyStore;
import org.cartrelay.support.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Erases every trace of one buyer's email address from the hub's database (SPEC section 4, data protection). */
@Component
public class Erasure {

    private static final Logger log = LoggerFactory.getLogger(Erasure.class);

    private final PrivacyStore store;

    public Erasure(PrivacyStore store) {
        this.store = store;
    }

    /** @return what was removed, per kind */
    public Map<String, Integer> erase(String email) {
        Map<String, Integer> counts = store.erase(email);
        log.info("Erased customer {}: {}", Masking.email(email), counts);
        return counts;
    }
}
