package org.cartrelay.ops;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.cartrelay.delivery.CircuitBreaker;
import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health/connectors/<name>}: down while a receiver's 410 has disabled the connector or its
 * breaker is open; out of service while paused; up otherwise. The store has Spring Boot's own {@code db}.
 */
@Component("connectors")
public class ConnectorHealth implements CompositeHealthContributor {

    private final Map<String, HealthContributor> indicators = new LinkedHashMap<>();

    public ConnectorHealth(ConnectorRuntimes runtimes, HubStatus status, Clock clock) {
        for (ConnectorRuntime runtime : runtimes.all()) {
            indicators.put(runtime.name(), (HealthIndicator) () -> health(runtime, status, clock));
        }
    }

    private static Health health(ConnectorRuntime runtime, HubStatus status, Clock clock) {
        CircuitBreaker.State circuit = runtime.circuitState(clock.instant());
        Health.Builder builder;
        if (runtime.disabledReason() != null || circuit == CircuitBreaker.State.OPEN) {
            builder = Health.down();
        } else if (runtime.paused() || !runtime.connector().definition().enabled()) {
            builder = Health.outOfService();
        } else {
            builder = Health.up();
        }
        builder.withDetail("circuit", circuit.name())
                .withDetail("paused", runtime.paused())
                .withDetail("pending", status.backlog(runtime.name()).pending())
                .withDetail("deadLetters", status.backlog(runtime.name()).dead());
        if (runtime.disabledReason() != null) {
            builder.withDetail("disabled", runtime.disabledReason());
        }
        if (runtime.lastError() != null) {
            builder.withDetail("lastError", runtime.lastError());
        }
        return builder.build();
    }

    @Override
    public HealthContributor getContributor(String name) {
        return indicators.get(name);
    }

    @Override
    public java.util.Iterator<NamedContributor<HealthContributor>> iterator() {
        return indicators.entrySet().stream()
                .map(e -> NamedContributor.of(e.getKey(), e.getValue()))
                .iterator();
    }
}
