package org.cartrelay.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * {@code /actuator/health/connector/<name>}: each connector's state, in statuses of their own: {@code UP},
 * {@code WAITING} (its target asked it to wait), {@code PAUSED}, {@code CIRCUIT_OPEN}, {@code DISABLED} (by a
 * receiver's 410, or in its file). The root health and the readiness probe do not know these statuses and so ignore
 * them: a connector's state never takes the intake out of service. The {@code connectors} group
 * ({@code /actuator/health/connectors}) orders them, and it and a connector's own path answer 503 while a connector
 * is disabled, paused or its breaker open (application.yml).
 */
@Component("connector")
public class ConnectorHealth implements CompositeHealthContributor {

    public static final Status WAITING = new Status("WAITING", "Its target asked it to wait (Retry-After)");
    public static final Status PAUSED = new Status("PAUSED", "Paused by an operator");
    public static final Status CIRCUIT_OPEN = new Status("CIRCUIT_OPEN", "Its circuit breaker is open");
    public static final Status DISABLED = new Status("DISABLED", "Disabled by a receiver's 410 or in its file");

    private final Map<String, HealthContributor> indicators = new LinkedHashMap<>();

    public ConnectorHealth(ConnectorRuntimes runtimes, HubStatus status, Clock clock) {
        for (ConnectorRuntime runtime : runtimes.all()) {
            indicators.put(runtime.name(), (HealthIndicator) () -> health(runtime, status, clock.instant()));
        }
    }

    private static Health health(ConnectorRuntime runtime, HubStatus status, Instant now) {
        CircuitBreaker.State circuit = runtime.circuitState();
        Instant waitingUntil = runtime.waitingUntil(now);
        Status state = switch (ConnectorOperations.state(runtime, now)) {
            case DISABLED -> DISABLED;
            case PAUSED -> PAUSED;
            case CIRCUIT_OPEN -> CIRCUIT_OPEN;
            case WAITING -> WAITING;
            case OK -> Status.UP;
        };
        Health.Builder builder = Health.status(state)
                .withDetail("circuit", circuit.name())
                .withDetail("paused", runtime.paused())
                .withDetail("concurrency", runtime.concurrency())
                .withDetail("rateLimit", runtime.rateLimit())
                .withDetail("pending", status.backlog(runtime.name()).pending())
                .withDetail("deadLetters", status.backlog(runtime.name()).dead());
        if (waitingUntil != null) {
            builder.withDetail("waitingUntil", waitingUntil.toString());
        }
        if (runtime.disabledReason() != null) {
            builder.withDetail("disabled", runtime.disabledReason());
        }
        if (runtime.lastError() != null) {
            builder.withDetail("lastError", runtime.lastError().toString());
        }
        return builder.build();
    }

    @Override
    public HealthContributor getContributor(String name) {
        return indicators.get(name);
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        return indicators.entrySet().stream()
                .map(e -> NamedContributor.of(e.getKey(), e.getValue()))
                .iterator();
    }
}
