package org.cartrelay.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.store.OutboxStore.Backlog;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/connectors}: each connector's state, backlog and last outcomes, and the operator's pause, resume and
 * replay of its dead letters, the same operations as its JMX MBean ({@link ConnectorOperations}). An unknown
 * connector is a 404.
 */
@RestController
@RequestMapping("/api/connectors")
public class ConnectorApi {

    private final ConnectorOperations operations;
    private final Clock clock;

    public ConnectorApi(ConnectorOperations operations, Clock clock) {
        this.operations = operations;
        this.clock = clock;
    }

    @GetMapping
    public List<Map<String, Object>> list() {
        Instant now = clock.instant();
        return operations.all().stream().map(runtime -> view(runtime, now)).toList();
    }

    @GetMapping("/{name}")
    public ResponseEntity<?> one(@PathVariable String name) {
        return acting(name, runtime -> view(runtime, clock.instant()));
    }

    @PostMapping("/{name}/pause")
    public ResponseEntity<?> pause(@PathVariable String name) {
        return acting(name, runtime -> {
            operations.pause(name);
            return view(runtime, clock.instant());
        });
    }

    @PostMapping("/{name}/resume")
    public ResponseEntity<?> resume(@PathVariable String name) {
        return acting(name, runtime -> {
            operations.resume(name);
            return view(runtime, clock.instant());
        });
    }

    /** Replays every dead letter of the connector. */
    @PostMapping("/{name}/replay")
    public ResponseEntity<?> replay(@PathVariable String name) {
        return acting(name, runtime -> Map.of("replayed", operations.replayDeadLetters(name)));
    }

    private ResponseEntity<?> acting(String name, Function<ConnectorRuntime, Object> action) {
        return operations
                .find(name)
                .<ResponseEntity<?>>map(runtime -> ResponseEntity.ok(action.apply(runtime)))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(ProblemDetail.forStatusAndDetail(
                                HttpStatus.NOT_FOUND, "There is no connector named '" + name + "'.")));
    }

    private Map<String, Object> view(ConnectorRuntime runtime, Instant now) {
        Backlog backlog = operations.backlog(runtime.name());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", runtime.name());
        view.put("type", runtime.connector().definition().type());
        view.put("state", ConnectorOperations.state(runtime, now).word());
        view.put("paused", runtime.paused());
        view.put("disabledReason", disabledReason(runtime));
        view.put("waitingUntil", runtime.waitingUntil(now));
        view.put("circuit", runtime.circuitState().name());
        view.put("pending", backlog.pending());
        view.put("oldestPending", backlog.oldestPending());
        view.put("deadLetters", backlog.dead());
        view.put("delivered", runtime.delivered());
        view.put("failed", runtime.failed());
        ConnectorRuntime.LastError lastError = runtime.lastError();
        view.put("lastError", lastError == null ? null : lastError.message());
        view.put("lastErrorAt", lastError == null ? null : lastError.at());
        view.put("lastSuccess", runtime.lastSuccess());
        return view;
    }

    private static String disabledReason(ConnectorRuntime runtime) {
        if (runtime.disabledReason() != null) {
            return runtime.disabledReason();
        }
        return runtime.connector().definition().enabled() ? null : "Disabled in its file (enabled: false).";
    }
}
