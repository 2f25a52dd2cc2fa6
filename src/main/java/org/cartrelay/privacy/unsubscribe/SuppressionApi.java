package org.cartrelay.privacy.unsubscribe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.cartrelay.event.EventJson;
import org.cartrelay.store.SuppressionStore;
import org.cartrelay.support.EmailAddress;
import org.cartrelay.support.Masking;
import org.cartrelay.support.TimeParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The suppression list over the admin API: {@code GET /api/suppressions} (newest first; {@code from}, {@code to},
 * {@code limit}, {@code offset}, or {@code email} for one address), {@code POST} {@code {"email", "reason"}} adds a
 * buyer (source {@code api}), {@code DELETE ?email=} takes one off. Listed addresses are masked ({@code j***@…}):
 * the list is for seeing that unsubscriptions happen; whether one address is listed is asked with {@code email}.
 */
@RestController
public class SuppressionApi {

    private static final int MAX_LIMIT = 500;

    private final Unsubscriptions unsubscriptions;
    private final SuppressionStore store;

    public SuppressionApi(Unsubscriptions unsubscriptions, SuppressionStore store) {
        this.unsubscriptions = unsubscriptions;
        this.store = store;
    }

    /** An entry as the admin sees it: the address masked, or null once the buyer was erased. */
    public record Shown(String email, boolean erased, String source, String reason, Instant unsubscribedAt) {

        static Shown of(SuppressionStore.Entry entry) {
            return new Shown(
                    Masking.email(entry.email()),
                    entry.email() == null,
                    entry.source(),
                    entry.reason(),
                    entry.createdAt());
        }
    }

    public record Page(long total, int limit, int offset, List<Shown> items) {}

    @GetMapping("/api/suppressions")
    public Page list(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String offset,
            @RequestParam(required = false) String email) {
        int size = integer("limit", limit, 50, 1, MAX_LIMIT);
        int skip = integer("offset", offset, 0, 0, Integer.MAX_VALUE);
        if (email != null) {
            SuppressionStore.Entry entry = unsubscriptions.find(address(email));
            return new Page(entry == null ? 0 : 1, size, skip, entry == null ? List.of() : List.of(Shown.of(entry)));
        }
        Instant start = TimeParameter.parse("from", from, false);
        Instant end = TimeParameter.parse("to", to, true);
        List<Shown> items =
                store.list(start, end, size, skip).stream().map(Shown::of).toList();
        return new Page(store.count(start, end), size, skip, items);
    }

    @PostMapping("/api/suppressions")
    public ResponseEntity<Shown> add(@RequestBody(required = false) String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : EventJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "The body is not JSON; expected {\"email\": \"buyer@example.com\", " + "\"reason\": \"…\"}.");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object such as {\"email\": "
                    + "\"buyer@example.com\", \"reason\": \"asked by phone\"}.");
        }
        List<String> unknown = new ArrayList<>();
        json.fieldNames().forEachRemaining(name -> {
            if (!name.equals("email") && !name.equals("reason")) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "Unknown field(s) " + unknown + "; expected 'email' and optionally " + "'reason'.");
        }
        JsonNode email = json.get("email");
        if (email == null || !email.isTextual()) {
            throw new IllegalArgumentException(
                    "The field 'email' is required: the address of the buyer to " + "unsubscribe, as a string.");
        }
        JsonNode reason = json.get("reason");
        if (reason != null && !reason.isNull() && !reason.isTextual()) {
            throw new IllegalArgumentException("The field 'reason' must be a string.");
        }
        String why = reason == null || reason.isNull() ? null : reason.asText().strip();
        if (why != null && why.length() > 500) {
            throw new IllegalArgumentException("The field 'reason' must be at most 500 characters long.");
        }
        Unsubscriptions.Outcome outcome = unsubscriptions.unsubscribe(
                address(email.asText()), Unsubscriptions.API, why == null || why.isEmpty() ? null : why);
        return ResponseEntity.status(outcome.added() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(Shown.of(outcome.entry()));
    }

    @DeleteMapping("/api/suppressions")
    public ResponseEntity<?> remove(@RequestParam(required = false) String email) {
        if (!unsubscriptions.remove(address(email))) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body(ProblemDetail.forStatusAndDetail(
                            HttpStatus.NOT_FOUND, "That address is not on the suppression list."));
        }
        return ResponseEntity.noContent().build();
    }

    private static String address(String email) {
        if (email == null || email.isBlank()) {
            throw new IllegalArgumentException("The parameter 'email' is required: the buyer's address.");
        }
        if (!EmailAddress.isValid(email.strip())) {
            throw new IllegalArgumentException(
                    "The parameter 'email' must be an email address such as " + "buyer@example.com.");
        }
        return email.strip();
    }

    private static int integer(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("The parameter '" + name + "' must be a whole number from " + min
                + (max == Integer.MAX_VALUE ? " on." : " to " + max + "."));
    }
}
