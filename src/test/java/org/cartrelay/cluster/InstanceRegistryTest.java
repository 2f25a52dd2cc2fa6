package org.cartrelay.cluster;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.ConfigurationProblem;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** A lapse shorter than two heartbeats would take a late instance for gone: the hub refuses it, naming both keys. */
class InstanceRegistryTest {

    @Test
    void aLapseShorterThanTwoHeartbeatsStopsTheStart() {
        CartRelayProperties properties = new Binder(new MapConfigurationPropertySource(
                        Map.of("cartrelay.cluster.heartbeat", "2s", "cartrelay.cluster.lapse-after", "3s")))
                .bindOrCreate("cartrelay", CartRelayProperties.class);
        assertThatThrownBy(() -> new InstanceRegistry(new HubInstance(), null, null, null, properties))
                .isInstanceOf(ConfigurationProblem.class)
                .hasMessageContaining("cartrelay.cluster.lapse-after (PT3S)")
                .hasMessageContaining("twice cartrelay.cluster.heartbeat (PT2S)");
    }
}
