package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The start-up log says once which sources take notices and which connectors are loaded, and no secret. */
@ExtendWith(OutputCaptureExtension.class)
class StartupReportTest {

    private static final String HOOK_SECRET = "whsec_c3RhcnR1cC1yZXBvcnQtc2VjcmV0";

    @Test
    void theStartUpLogNamesTheEnabledSourcesAndTheLoadedConnectorsOnce(CapturedOutput output) {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .property("cartrelay.sources.woocommerce.token", "")
                        .connector("crm", """
                                type: webhook
                                endpoint: http://127.0.0.1:9/in
                                secret: %s
                                """.formatted(HOOK_SECRET))
                        .connector("side", """
                                type: route
                                uri: direct:side
                                enabled: false
                                """)
                        .start()) {
            String line = "Sources enabled: digistore24, generic, shopify; disabled until their secret is set: "
                    + "woocommerce (cartrelay.sources.woocommerce.token). Connectors: crm (webhook), "
                    + "side (route, disabled).";
            String all = output.getAll();
            assertThat(all).contains(line);
            assertThat(all.split("Sources enabled: ", -1)).as("said once").hasSize(2);
            assertThat(all)
                    .doesNotContain(HOOK_SECRET)
                    .doesNotContain(Fixtures.DIGISTORE24_PASSPHRASE)
                    .doesNotContain(Fixtures.SHOPIFY_SECRET)
                    .doesNotContain(Fixtures.GENERIC_SECRET);
        }
    }
}
