package org.cartrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

import org.cartrelay.ops.ConnectorOperations;
import org.cartrelay.testing.ProxiedDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

/**
 * A store that goes away and comes back stops neither the watch of the connectors' shared state nor the heartbeat:
 * once it answers again, a pause another instance stores applies here, and the heartbeat moves on.
 */
class ClusterStoreOutageTest {

    @Test
    void theSharedStateAndTheHeartbeatCarryOnOnceTheStoreIsBack() throws Exception {
        try (ProxiedDatabase backend = ProxiedDatabase.start();
                TestHub hub = backend.hub()
                        .property("cartrelay.cluster.heartbeat", "500ms")
                        .connector("crm", """
                                type: webhook
                                endpoint: http://127.0.0.1:9/in
                                """)
                        .start()) {
            backend.proxy().down();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hub.get("/actuator/health/readiness").statusCode() == 503);
            backend.proxy().up();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.get("/actuator/health/readiness").statusCode() == 200);

            Instant beat = heartbeat(hub);
            // what another instance's pause writes (without its notification: the poll finds it)
            hub.jdbc()
                    .sql("insert into connector_state (name, paused, disabled_reason, updated_at)"
                            + " values ('crm', true, null, current_timestamp)")
                    .update();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> hub.bean(ConnectorOperations.class)
                            .find("crm")
                            .orElseThrow()
                            .paused());
            await().atMost(Duration.ofSeconds(5)).until(() -> heartbeat(hub).isAfter(beat));
            assertThat(hub.count("select count(*) from hub_instance where stopped_at is null"))
                    .isEqualTo(1);
        }
    }

    private static Instant heartbeat(TestHub hub) {
        return hub.jdbc()
                .sql("select heartbeat_at from hub_instance where id = ?")
                .param(hub.bean(HubInstance.class).id())
                .query((rs, n) -> rs.getObject(1, OffsetDateTime.class).toInstant())
                .single();
    }
}
