package org.cartrelay.cluster;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health/instances}: always {@code UP} (another instance's state never takes this one out of
 * service); its details list the instances as of the last heartbeat, and how many run.
 */
@Component("instances")
public class InstancesHealth implements HealthIndicator {

    private final InstanceRegistry registry;

    public InstancesHealth(InstanceRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        var views = registry.views();
        return Health.up()
                .withDetail("self", registry.self().id())
                .withDetail(
                        "running",
                        views.stream()
                                .filter(v -> "running".equals(v.get("state")))
                                .count())
                .withDetail("instances", views)
                .build();
    }
}
