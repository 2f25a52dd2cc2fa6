package org.cartrelay.ops;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cartrelay.event.EventJson;
import org.cartrelay.store.DeadLetterStore;
import org.cartrelay.store.DeadLetterStore.DeadLetter;
import org.cartrelay.support.TimeParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * {@code /api/dead-letters}: list and inspect dead letters, and replay one, all of a connector, or those that died
 * within a time range. A replay is a new delivery of the same event (same id) and is recorded as such.
 */
@RestController
@RequestMapping("/api/dead-letters")
public class DeadLetterApi {

    private final DeadLetterStore deadLetters;
    private final Clock clock;

    public DeadLetterApi(DeadLetterStore deadLetters, Clock clock) {
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    @GetMapping
    public List<Map<String, Object>> list(
            @RequestParam(required = false) String connector,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(defaultValue = "50") int limit,
            @RequestParam(defaultValue = "0") int offset) {
        return deadLetters
                .list(
                        connector,
                        TimeParameter.parse("from", from, false),
                        TimeParameter.parse("to", to, true),
                        Math.min(Math.max(limit, 1), 500),
                        Math.max(offset, 0))
                .stream()
                .map(DeadLetterApi::view)
                .toList();
    }

    @GetMapping("/{id}")
    public ResponseEntity<?> one(@PathVariable String id) {
        return deadLetters
                .find(id)
                .<ResponseEntity<?>>map(letter -> ResponseEntity.ok(view(letter)))
                .orElseGet(() -> notFound(id));
    }

    @PostMapping("/{id}/replay")
    public ResponseEntity<?> replayOne(@PathVariable String id) {
        List<String> replayed = deadLetters.replay(id, null, null, null, clock.instant());
        return replayed.isEmpty() ? notFound(id) : ResponseEntity.ok(Map.of("replayed", replayed));
    }

    /** Replays all dead letters of a connector and/or of a time range; at least one selector is required. */
    @PostMapping("/replay")
    public ResponseEntity<?> replaySelected(
            @RequestParam(required = false) String connector,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        if (connector == null && from == null && to == null) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST,
                    "Name a connector, a time range (from, to) or both; replaying everything needs a selector.");
            return ResponseEntity.badRequest().body(problem);
        }
        List<String> replayed = deadLetters.replay(
                null,
                connector,
                TimeParameter.parse("from", from, false),
                TimeParameter.parse("to", to, true),
                clock.instant());
        return ResponseEntity.ok(Map.of("replayed", replayed));
    }

    private static ResponseEntity<ProblemDetail> notFound(String id) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(ProblemDetail.forStatusAndDetail(
                        HttpStatus.NOT_FOUND, "There is no dead letter with id '" + id + "'."));
    }

    private static Map<String, Object> view(DeadLetter letter) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", letter.id());
        view.put("connector", letter.connector());
        view.put("eventId", letter.eventId());
        view.put("eventType", letter.eventType());
        view.put("createdAt", letter.createdAt());
        view.put("deadAt", letter.deadAt());
        view.put("reason", letter.reason());
        // a replay that died again: the dead letter it replayed
        view.put("replayOf", letter.replayOf());
        view.put("attempts", letter.attemptLog());
        try {
            view.put("payload", EventJson.MAPPER.readTree(letter.payload()));
        } catch (JsonProcessingException e) {
            view.put("payload", letter.payload());
        }
        return view;
    }
}
