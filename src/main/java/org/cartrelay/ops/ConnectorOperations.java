package org.cartrelay.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.store.DeadLetterStore;
import org.cartrelay.store.OutboxStore.Backlog;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * What an operator sees of a connector and may do to it, shared by JMX ({@code cartrelay:type=Connector}), the
 * health contributor and the admin API ({@code /api/connectors}), so all three report the same state and act the
 * same way.
 */
@Component
public class ConnectorOperations {

    /** A connector's state, the first that applies in this order. */
    public enum State {
        /** Disabled by a receiver's 410, or in its file. */
        DISABLED,
        PAUSED,
        CIRCUIT_OPEN,
        /** Its target asked it to wait (Retry-After). */
        WAITING,
        OK;

        /** The API's name: lower case with dashes, e.g. {@code circuit-open}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final ConnectorRuntimes runtimes;
    private final HubStatus status;
    private final DeadLetterStore deadLetters;
    private final Clock clock;

    public ConnectorOperations(ConnectorRuntimes runtimes, HubStatus status, DeadLetterStore deadLetters, Clock clock) {
        this.runtimes = runtimes;
        this.status = status;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    public Collection<ConnectorRuntime> all() {
        return runtimes.all();
    }

    public Optional<ConnectorRuntime> find(String name) {
        return runtimes.get(name);
    }

    public static State state(ConnectorRuntime runtime, Instant now) {
        if (runtime.disabledReason() != null
                || !runtime.connector().definition().enabled()) {
            return State.DISABLED;
        }
        if (runtime.paused()) {
            return State.PAUSED;
        }
        if (runtime.circuitState() == CircuitBreaker.State.OPEN) {
            return State.CIRCUIT_OPEN;
        }
        return runtime.waitingUntil(now) != null ? State.WAITING : State.OK;
    }

    /** Waiting and dead deliveries, read at most once a second. */
    public Backlog backlog(String name) {
        return status.backlog(name);
    }

    /**
     * Deliveries stay pending while paused; nothing is lost.
     *
     * @throws IllegalArgumentException when there is no such connector
     */
    public void pause(String name) {
        runtimes.pause(name);
    }

    /** Lifts a pause and a 410-disable alike, and closes the breaker. */
    public void resume(String name) {
        runtimes.resume(name);
    }

    /** Replays every dead letter of the connector; returns the new deliveries' ids. */
    public List<String> replayDeadLetters(String name) {
        if (runtimes.get(name).isEmpty()) {
            throw new IllegalArgumentException("There is no connector named '" + name + "'.");
        }
        return deadLetters.replay(null, name, null, null, clock.instant());
    }
}
