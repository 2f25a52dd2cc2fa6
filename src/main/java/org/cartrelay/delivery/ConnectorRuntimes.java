package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.ops.OperationalEvent;
import org.cartrelay.store.ConnectorStateStore;
import org.cartrelay.store.ConnectorStateStore.State;
import org.cartrelay.store.ConnectorStateStore.Stored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;

/**
 * The runtime state of every connector, and the operator's controls over it (pause, resume, 410-disable). Pause and
 * disable are the cluster's: they are stored, and what another instance stored is applied here by
 * {@link ConnectorStateWatch}. So is each {@code rateLimit} on PostgreSQL ({@link SharedRates}); the breaker and the
 * throttle's answer to a target that asks to slow down are this instance's own.
 */
@Component
public class ConnectorRuntimes {

    private static final Logger log = LoggerFactory.getLogger(ConnectorRuntimes.class);

    private final Map<String, ConnectorRuntime> runtimes = new LinkedHashMap<>();
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    private final ConnectorStateStore states;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    /** Guards the runtimes' pause and disable against a stored state read before a change made here. */
    private final Object changes = new Object();
    /** Pauses, resumes and disables made here; guarded by {@link #changes}. */
    private long localChanges;
    /** When each connector's stored state was saved, as last read; guarded by {@link #changes}. */
    private final Map<String, Instant> savedAt = new HashMap<>();

    public ConnectorRuntimes(
            ConnectorRegistry registry,
            ConnectorStateStore states,
            CartRelayProperties properties,
            Clock clock,
            ApplicationEventPublisher events,
            SharedRates sharedRates) {
        this.states = states;
        this.clock = clock;
        this.events = events;
        CartRelayProperties.Delivery delivery = properties.delivery();
        for (Connector connector : registry.all()) {
            ConnectorRuntime runtime = new ConnectorRuntime(
                    connector,
                    new Breaker(breakers.circuitBreaker(
                            connector.name(), breakerConfig(delivery.breaker(), connector, clock))),
                    new Throttle(
                            connector.name(),
                            clock,
                            delivery.concurrency(),
                            Throttle.perSecond(connector.definition().rateLimit()),
                            delivery.throttle().defaultWait(),
                            delivery.throttle().maxWait(),
                            sharedRates.of(
                                    connector.name(),
                                    Throttle.perSecond(connector.definition().rateLimit()))));
            runtime.breaker().circuitBreaker().getEventPublisher().onStateTransition(event -> {
                logTransition(
                        connector.name(),
                        event.getStateTransition(),
                        runtime.breaker().circuitBreaker());
                tellOperators(connector.name(), event.getStateTransition());
            });
            runtime.shareWaitsWith(until -> shareWait(connector.name(), until));
            State state = states.load(connector.name());
            runtime.setPaused(state.paused());
            runtime.setDisabled(state.disabledReason());
            if (state.paused() || state.disabledReason() != null) {
                log.warn(
                        "Connector '{}' starts {}",
                        connector.name(),
                        state.disabledReason() != null ? "disabled: " + state.disabledReason() : "paused");
            }
            runtimes.put(connector.name(), runtime);
        }
    }

    private static CircuitBreakerConfig breakerConfig(
            CartRelayProperties.Breaker breaker, Connector connector, Clock clock) {
        Duration slowCall = breaker.slowCall() != null
                ? breaker.slowCall()
                : connector.definition().timeout().dividedBy(2);
        return CircuitBreakerConfig.custom()
                .slidingWindowType(SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.slidingWindow())
                .minimumNumberOfCalls(breaker.minimumCalls())
                .failureRateThreshold(breaker.failureRateThreshold())
                .slowCallDurationThreshold(slowCall)
                .slowCallRateThreshold(breaker.slowCallRateThreshold())
                .permittedNumberOfCallsInHalfOpenState(breaker.halfOpenCalls())
                .waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(
                        breaker.openFor(), breaker.openForMultiplier(), breaker.maxOpenFor()))
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build();
    }

    /** Each transition once: opening as a warning with the rates that opened it. */
    private static void logTransition(String name, CircuitBreaker.StateTransition transition, CircuitBreaker breaker) {
        CircuitBreaker.Metrics metrics = breaker.getMetrics();
        if (transition.getToState() == CircuitBreaker.State.OPEN) {
            log.warn(
                    "Connector '{}': circuit breaker {} → OPEN (failure rate {}%, slow calls {}%); new deliveries "
                            + "wait, retries keep their own schedule",
                    name,
                    transition.getFromState(),
                    Math.round(metrics.getFailureRate()),
                    Math.round(metrics.getSlowCallRate()));
        } else {
            log.info(
                    "Connector '{}': circuit breaker {} → {}",
                    name,
                    transition.getFromState(),
                    transition.getToState());
        }
    }

    /** An opened breaker, and a closed one, as operational events. */
    private void tellOperators(String name, CircuitBreaker.StateTransition transition) {
        CircuitBreaker.State to = transition.getToState();
        if (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.CLOSED) {
            publish(new OperationalEvent(
                    to == CircuitBreaker.State.OPEN ? OperationalEvent.BREAKER_OPENED : OperationalEvent.BREAKER_CLOSED,
                    name,
                    "Circuit breaker " + transition.getFromState() + " → " + to,
                    Map.of("from", transition.getFromState().name(), "to", to.name())));
        }
    }

    /** Tells the listeners; a failure there never reaches the delivery path. */
    void publish(OperationalEvent event) {
        try {
            events.publishEvent(event);
        } catch (RuntimeException e) {
            log.warn(
                    "Operational event {} about '{}' not published: {}", event.type(), event.connector(), e.toString());
        }
    }

    /** The breakers of every connector, for their metrics. */
    public CircuitBreakerRegistry breakers() {
        return breakers;
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
        synchronized (changes) {
            runtime.setPaused(true);
            localChanges++;
        }
        log.info("Connector '{}' paused", name);
    }

    /** Lifts a pause and a 410-disable alike, and closes the breaker. */
    public void resume(String name) {
        ConnectorRuntime runtime = require(name);
        states.save(name, State.ACTIVE, clock.instant());
        synchronized (changes) {
            runtime.setPaused(false);
            runtime.setDisabled(null);
            localChanges++;
        }
        runtime.resetBreaker();
        log.info("Connector '{}' resumed", name);
    }

    /** A receiver answered 410 Gone: stop sending until an operator resumes the connector. */
    void disable(String name, String reason) {
        ConnectorRuntime runtime = require(name);
        states.save(name, new State(runtime.paused(), reason), clock.instant());
        synchronized (changes) {
            runtime.setDisabled(reason);
            localChanges++;
        }
        log.warn("Connector '{}' disabled: {}", name, reason);
        publish(new OperationalEvent(OperationalEvent.CONNECTOR_DISABLED, name, reason, Map.of()));
    }

    /** How many changes were made here so far: taken before reading the stored state, for {@link #apply}. */
    long localChanges() {
        synchronized (changes) {
            return localChanges;
        }
    }

    /**
     * Applies the stored state, read after {@link #localChanges} returned {@code changesBefore}: pauses, resumes and
     * disables another instance made. A read that a change made here may have overtaken is dropped (the next read
     * has it). A resume elsewhere closes this instance's breaker too.
     */
    void apply(Map<String, Stored> stored, long changesBefore) {
        synchronized (changes) {
            if (changesBefore != localChanges) {
                return;
            }
            for (ConnectorRuntime runtime : runtimes.values()) {
                String name = runtime.name();
                Stored row = stored.get(name);
                State state = row == null ? State.ACTIVE : row.state();
                Instant at = row == null ? null : row.updatedAt();
                boolean changed = state.paused() != runtime.paused()
                        || !Objects.equals(state.disabledReason(), runtime.disabledReason());
                if (changed) {
                    runtime.setPaused(state.paused());
                    runtime.setDisabled(state.disabledReason());
                    log.info("Connector '{}' {} (by another instance)", name, describe(state));
                }
                boolean resumed = savedAt.containsKey(name) && !Objects.equals(at, savedAt.get(name));
                if (resumed
                        && !state.paused()
                        && state.disabledReason() == null
                        && runtime.circuitState() != CircuitBreaker.State.CLOSED) {
                    runtime.resetBreaker();
                }
                savedAt.put(name, at);
            }
        }
    }

    /** The target's wait, stored for the other instances; one that cannot be stored is logged and left to each. */
    private void shareWait(String name, Instant until) {
        try {
            states.holdUntil(name, until);
        } catch (RuntimeException e) {
            log.warn(
                    "Connector '{}': the target's wait until {} could not be told to the other instances ({})",
                    name,
                    until,
                    e.toString());
        }
    }

    /** Waits another instance's target asked for: each of these connectors waits here as long. */
    void applyWaits(Map<String, Instant> waits) {
        waits.forEach((name, until) -> {
            ConnectorRuntime runtime = runtimes.get(name);
            if (runtime != null) {
                runtime.throttle().holdUntil(until);
            }
        });
    }

    private static String describe(State state) {
        if (state.disabledReason() != null) {
            return "disabled: " + state.disabledReason();
        }
        return state.paused() ? "paused" : "resumed";
    }

    private ConnectorRuntime require(String name) {
        ConnectorRuntime runtime = runtimes.get(name);
        if (runtime == null) {
            throw new IllegalArgumentException("There is no connector named '" + name + "'.");
        }
        return runtime;
    }
}
