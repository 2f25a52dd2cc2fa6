package org.cartrelay.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.store.CheckoutStatus;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The hub's Prometheus metrics ({@code /actuator/prometheus}): notices by source and outcome, deliveries by
 * connector and outcome, the pending backlog and the age of its oldest item, dead letters, connector and breaker
 * state, and delivery latency percentiles. Counters and timers count in this instance's memory since it started
 * ({@code _total}, reset by a restart) and say "since start"; figures read from the database are gauges named for
 * what they hold and say "from the database, all instances"; the other gauges are this instance's state now.
 */
@Component
public class HubMetrics {

    public static final String NOTICES = "cartrelay.notices";

    private static final String LEASED = "Deliveries a lane leased, by claiming them from the store or taking them"
            + " from the fan-out as it wrote them; since start";

    private final MeterRegistry registry;
    // meters found once per tag set: registering through the builders on every call cost measurable CPU
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public HubMetrics(MeterRegistry registry, ConnectorRuntimes runtimes, HubStatus status, Clock clock) {
        this.registry = registry;
        for (ConnectorRuntime runtime : runtimes.all()) {
            String name = runtime.name();
            Gauge.builder(
                            "cartrelay.connector.backlog",
                            status,
                            s -> s.backlog(name).pending())
                    .description("Deliveries waiting to be sent or in flight; from the database, all instances")
                    .tag("connector", name)
                    .register(registry);
            Gauge.builder("cartrelay.connector.backlog.oldest.age", status, s -> s.oldestPendingAgeSeconds(name))
                    .description("Age of the oldest waiting delivery; from the database, all instances")
                    .baseUnit("seconds")
                    .tag("connector", name)
                    .register(registry);
            Gauge.builder(
                            "cartrelay.connector.dead.letters",
                            status,
                            s -> s.backlog(name).dead())
                    .description("Dead letters kept for a replay; from the database, all instances")
                    .tag("connector", name)
                    .register(registry);
            FunctionCounter.builder("cartrelay.deliveries.leased", runtime, ConnectorRuntime::claimed)
                    .description(LEASED)
                    .tag("connector", name)
                    .tag("how", "claimed")
                    .register(registry);
            FunctionCounter.builder("cartrelay.deliveries.leased", runtime, ConnectorRuntime::handedOver)
                    .description(LEASED)
                    .tag("connector", name)
                    .tag("how", "handed-over")
                    .register(registry);
            for (ConnectorOperations.State state : ConnectorOperations.State.values()) {
                Gauge.builder(
                                "cartrelay.connector.state",
                                runtime,
                                r -> ConnectorOperations.state(r, clock.instant()) == state ? 1 : 0)
                        .description("1 for the connector's state as this instance sees it, 0 for the others")
                        .tag("connector", name)
                        .tag("state", state.word())
                        .register(registry);
            }
            Gauge.builder("cartrelay.circuit.open", runtime, r -> r.circuitState() == CircuitBreaker.State.OPEN ? 1 : 0)
                    .description("1 while the connector's circuit breaker is open on this instance")
                    .tag("connector", name)
                    .register(registry);
            Gauge.builder("cartrelay.connector.concurrency", runtime, ConnectorRuntime::concurrency)
                    .description("Calls the connector may make at once now on this instance (lowered when its target "
                            + "asks to slow down, growing back)")
                    .tag("connector", name)
                    .register(registry);
            Gauge.builder("cartrelay.connector.rate.limit", runtime, ConnectorRuntime::rate)
                    .description("Calls per second the connector may make now on this instance; +Inf when unlimited")
                    .tag("connector", name)
                    .register(registry);
            Gauge.builder("cartrelay.connector.waiting", runtime, r -> waitingSeconds(r, clock))
                    .description("Seconds until the wait its target asked for (Retry-After) ends; 0 when none")
                    .baseUnit("seconds")
                    .tag("connector", name)
                    .register(registry);
        }
        // resilience4j's own: resilience4j_circuitbreaker_state{name=<connector>,state=…}, calls, failure rate
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(runtimes.breakers())
                .bindTo(registry);
        Gauge.builder("cartrelay.checkouts.pending", status, s -> s.checkouts(CheckoutStatus.PENDING))
                .description("Checkouts waiting for their abandonment delay; from the database, all instances")
                .register(registry);
    }

    private static double waitingSeconds(ConnectorRuntime runtime, Clock clock) {
        Instant now = clock.instant();
        Instant until = runtime.waitingUntil(now);
        return until == null ? 0 : Duration.between(now, until).toMillis() / 1000.0;
    }

    /**
     * outcome: accepted, duplicate, rejected (stored but unusable), refused (bad signature, bad input) or unavailable
     * (answered 503: the store could not keep it).
     */
    public void notice(String source, String outcome) {
        counters.computeIfAbsent(
                        "notices\u0000" + source + "\u0000" + outcome,
                        key -> Counter.builder(NOTICES)
                                .description("Notices taken in, by source and outcome; since start")
                                .tag("source", source)
                                .tag("outcome", outcome)
                                .register(registry))
                .increment();
    }

    public double notices(String outcome) {
        return registry.find(NOTICES).tag("outcome", outcome).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /** One attempt's outcome (delivered, retry, throttled, dead, gone) and duration. */
    public void attempt(String connector, String outcome, Duration duration) {
        counters.computeIfAbsent(
                        "deliveries\u0000" + connector + "\u0000" + outcome,
                        key -> Counter.builder("cartrelay.deliveries")
                                .description("Delivery attempts, by connector and outcome; since start")
                                .tag("connector", connector)
                                .tag("outcome", outcome)
                                .register(registry))
                .increment();
        timers.computeIfAbsent(
                        "latency\u0000" + connector,
                        key -> Timer.builder("cartrelay.delivery.latency")
                                .description("Duration of one delivery attempt; since start")
                                .tag("connector", connector)
                                .publishPercentiles(0.5, 0.95, 0.99)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(duration);
    }

    /** From the event's creation to its successful delivery. */
    public void endToEnd(String connector, Duration duration) {
        timers.computeIfAbsent(
                        "end-to-end\u0000" + connector,
                        key -> Timer.builder("cartrelay.delivery.end.to.end")
                                .description("From the outbound event's creation to its delivery; since start")
                                .tag("connector", connector)
                                .publishPercentiles(0.5, 0.99)
                                .register(registry))
                .record(duration);
    }
}
