package org.cartrelay.testing;

import java.util.function.Consumer;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;

/**
 * A WireMock receiver and a {@link TestDatabase}, both new for each test and gone after it; the test starts its own
 * hubs on them (several, for a restart):
 * {@code @RegisterExtension final TestReceiver receiver = TestReceiver.answering(r -> r.stubFor(…));}, then
 * {@code TestHub.on(receiver.database()).connector("ok", receiver.webhook("/ok"))}. For one hub a whole class
 * shares, see {@link VendorHub}.
 */
public final class TestReceiver extends WireMockExtension {

    private final Consumer<TestReceiver> stubs;
    private TestDatabase database;

    private TestReceiver(Consumer<TestReceiver> stubs) {
        super(extensionOptions().options(WireMockConfiguration.options().dynamicPort()));
        this.stubs = stubs;
    }

    /** A receiver that answers with these stubs at the start of each test. */
    public static TestReceiver answering(Consumer<TestReceiver> stubs) {
        return new TestReceiver(stubs);
    }

    @Override
    protected void onBeforeEach(WireMockRuntimeInfo wireMock) {
        database = TestDatabase.create();
        stubs.accept(this);
    }

    @Override
    protected void onAfterEach(WireMockRuntimeInfo wireMock) {
        if (database != null) {
            database.close();
            database = null;
        }
    }

    public TestDatabase database() {
        if (database == null) {
            throw new IllegalStateException("The receiver's database exists only during a test");
        }
        return database;
    }

    /** The file of a webhook connector that sends to {@code path} on this receiver, and says nothing else. */
    public String webhook(String path) {
        return "type: webhook\nendpoint: http://127.0.0.1:%d%s\n".formatted(getPort(), path);
    }
}
