package org.cartrelay.testing;

import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One hub on its own {@link TestDatabase} for every test of a class, started before the first and closed after the
 * last: {@code @RegisterExtension static final SharedHub HUB = new SharedHub(b -> b.property(…));}.
 */
public final class SharedHub implements BeforeAllCallback, AfterAllCallback {

    private final UnaryOperator<TestHub.Builder> settings;
    private TestDatabase database;
    private TestHub hub;

    public SharedHub(UnaryOperator<TestHub.Builder> settings) {
        this.settings = settings;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        database = TestDatabase.create();
        hub = settings.apply(TestHub.on(database)).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Teardown.inOrder(hub, database);
    }

    public TestHub hub() {
        return hub;
    }
}
