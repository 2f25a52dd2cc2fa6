package org.cartrelay.cluster;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/instances}: the hub instances on this database, running ones first, as of this instance's last
 * heartbeat; stopped and gone ones for a day.
 */
@RestController
@RequestMapping("/api/instances")
public class InstancesApi {

    private final InstanceRegistry registry;

    public InstancesApi(InstanceRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    public List<Map<String, Object>> list() {
        return registry.views();
    }
}
