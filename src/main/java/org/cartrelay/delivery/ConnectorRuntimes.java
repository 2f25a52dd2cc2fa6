package org.cartrelay.delivery;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.store.ConnectorStateStore;
import org.cartrelay.store.ConnectorStateStore.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The runtime state of every connector, and the operator's controls over it (pause, resume, 410-disable). */
@Component
public class ConnectorRuntimes {

    private static final Logger log = LoggerFactory.getLogger(ConnectorRuntimes.class);

    private final Map<String, ConnectorRuntime> runtimes = new LinkedHashMap<>();
    private final ConnectorStateStore states;
    private final Clock clock;

    public ConnectorRuntimes(ConnectorRegistry registry, ConnectorStateStore states, CartRelayProperties properties,
            Clock clock) {
        this.states = states;
        this.clock = clock;
        for (Connector connector : registry.all()) {
            CartRelayProperties.Breaker breaker = properties.delivery().breaker();
            ConnectorRuntime runtime = new ConnectorRuntime(connector,
                    new CircuitBreaker(breaker.failureThreshold(), breaker.openFor()),
                    RateLimiter.parse(connector.definition().rateLimit()));
            State state = states.load(connector.name());
            runtime.setPaused(state.paused());
            runtime.setDisabled(state.disabledReason());
            if (state.paused() || state.disabledReason() != null) {
                log.warn("Connector '{}' starts {}", connector.name(),
                        state.disabledReason() != null ? "disabled: " + state.disabledReason() : "paused");
            }
            runtimes.put(connector.name(), runtime);
        }
    }

    public Collection<ConnectorRuntime> all() {
        return runtimes.values();
    }

    public Optional<ConnectorRuntime> get(String name) {
        return Optional.ofNullable(runtimes.get(name));
    }

    /** Deliveries stay pending while paused; nothing is lost. */
    public void pause(String name) {
        ConnectorRuntime runtime = require(name);
        states.save(name, new State(true, runtime.disabledReason()), clock.instant());
        runtime.setPaused(true);
        log.info("Connector '{}' paused", name);
    }

    /** Lifts a pause and a 410-disable alike, and closes the breaker. */
    public void resume(String name) {
        ConnectorRuntime runtime = require(name);
        states.save(name, State.ACTIVE, clock.instant());
        runtime.setPaused(false);
        runtime.setDisabled(null);
        runtime.resetBreaker();
        log.info("Connector '{}' resumed", name);
    }

    /** A receiver answered 410 Gone: stop sending until an operator resumes the connector. */
    void disable(String name, String reason) {
        ConnectorRuntime runtime = require(name);
        states.save(name, new State(runtime.paused(), reason), clock.instant());
        runtime.setDisabled(reason);
        log.warn("Connector '{}' disabled: {}", name, reason);
    }

    private ConnectorRuntime require(String name) {
        ConnectorRuntime runtime = runtimes.get(name);
        if (runtime == null) {
            throw new IllegalArgumentException("There is no connector named '" + name + "'.");
        }
        return runtime;
    }
}
