package org.cartrelay.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.CamelContext;
import org.cartrelay.intake.AbandonmentDelays;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --cartrelay.home} points the hub at another folder's config/, connectors/ and routes/. */
class HomeFolderTest {

    @Test
    void theHomeFolderSuppliesConfigConnectorsAndRoutes(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/application.yml"), """
                cartrelay:
                  abandonment:
                    delay: 7m
                  intake:
                    retry-after-seconds: 42
                  sources:
                    shopify:
                      abandonment-delay: 10h
                """);
        Files.createDirectories(home.resolve("routes"));
        Files.writeString(home.resolve("routes/mine.yaml"), """
                - route:
                    id: integrator-route
                    from:
                      uri: direct:integrator
                      steps:
                        - setBody:
                            constant: "handled"
                """);
        try (TestDatabase database = TestDatabase.create();
                TestHub hub =
                        TestHub.on(database).home(home).connector("hook", """
                        type: webhook
                        endpoint: http://127.0.0.1:9/unused
                        """).start()) {
            CartRelayProperties properties = hub.bean(CartRelayProperties.class);
            assertThat(properties.intake().retryAfterSeconds()).isEqualTo(42);
            // the home's file wins over the working directory's config/application.yml (which says 30m)
            assertThat(properties.abandonment().delay()).hasMinutes(7);
            AbandonmentDelays delays = hub.bean(AbandonmentDelays.class);
            assertThat(delays.of("shopify")).hasHours(10);
            assertThat(delays.of("digistore24"))
                    .isEqualTo(properties.abandonment().delay());
            assertThat(properties.homeDir()).isEqualTo(home.toAbsolutePath().normalize());

            CamelContext camel = hub.bean(CamelContext.class);
            assertThat(camel.getRoute("integrator-route")).isNotNull();
            assertThat(camel.createProducerTemplate().requestBody("direct:integrator", "x", String.class))
                    .isEqualTo("handled");
            assertThat(camel.getRoute("deliver-webhook-hook")).isNotNull();
            assertThat(hub.home()).isEqualTo(home.toAbsolutePath().normalize());
        }
    }
}
