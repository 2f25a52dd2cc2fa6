package org.cartrelay.privacy;

import java.util.List;
import java.util.Map;

import org.cartrelay.store.PrivacyStore;
import org.cartrelay.support.EmailAddress;
import org.cartrelay.support.TimeParameter;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Data protection over the admin API: {@code DELETE /api/customers?email=} erases a buyer and answers with the
 * counts removed per kind; {@code GET /api/suppressed} shows the deliveries the privacy policy withheld, per
 * connector and reason.
 */
@RestController
public class PrivacyApi {

    private final Erasure erasure;
    private final PrivacyStore store;

    public PrivacyApi(Erasure erasure, PrivacyStore store) {
        this.erasure = erasure;
        this.store = store;
    }

    @DeleteMapping("/api/customers")
    public Map<String, Integer> erase(@RequestParam(required = false) String email) {
        if (email == null || email.isBlank()) {
            throw new IllegalArgumentException("The parameter 'email' is required: the address of the buyer to erase.");
        }
        if (!EmailAddress.isValid(email.strip())) {
            throw new IllegalArgumentException(
                    "The parameter 'email' must be an email address such as " + "buyer@example.com.");
        }
        return erasure.erase(email.strip());
    }

    @GetMapping("/api/suppressed")
    public List<PrivacyStore.Suppressed> suppressed(
            @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        return store.suppressed(TimeParameter.parse("from", from, false), TimeParameter.parse("to", to, true));
    }
}
