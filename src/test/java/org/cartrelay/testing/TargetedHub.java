package org.cartrelay.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's database and {@link ScriptedTarget}, and hubs with one webhook connector {@code crm} that sends to that
 * target and abandons at once: {@code @RegisterExtension final TargetedHub crm = new TargetedHub();}, then
 * {@code crm.target(script)} and {@code crm.hub(keys, properties…)} in each test.
 */
public final class TargetedHub implements BeforeEachCallback, AfterEachCallback {

    private TestDatabase database;
    private ScriptedTarget target;

    @Override
    public void beforeEach(ExtensionContext context) {
        database = TestDatabase.create();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (target != null) {
            target.close();
            target = null;
        }
        database.close();
    }

    /** The target of this test, answering as the script says. */
    public ScriptedTarget target(ScriptedTarget.Script script) {
        target = new ScriptedTarget(script);
        return target;
    }

    public ScriptedTarget target() {
        return target;
    }

    /**
     * A hub whose connector {@code crm} has these further keys (YAML lines: its timeout, its retry…), with these hub
     * properties given as name, value, name, value….
     */
    public TestHub hub(String keys, String... properties) {
        TestHub.Builder builder = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", """
                        type: webhook
                        endpoint: %s
                        %s
                        """.formatted(target.url(), keys));
        for (int i = 0; i < properties.length; i += 2) {
            builder.property(properties[i], properties[i + 1]);
        }
        return builder.start();
    }

    /** How many of the connector's deliveries are delivered. */
    public static long delivered(TestHub hub) {
        return hub.count("select count(*) from delivery where connector = 'crm' and status = 'delivered'");
    }
}
