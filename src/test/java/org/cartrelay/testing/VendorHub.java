package org.cartrelay.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * A WireMock vendor and one hub, on a {@link TestDatabase} of its own, whose connectors of one type send to it; both
 * started before a class's first test and stopped after its last. Each connector {@code <name>} sends to
 * {@code /<name>} on the vendor and takes only product {@code <product>}, so every test reaches the connectors it is
 * about. Registered with {@code @RegisterExtension} on a static field:
 *
 * <pre>{@code
 * static final VendorHub HUBSPOT = VendorHub.type("hubspot", """
 *         auth: {bearer: "${HUBSPOT_TOKEN}"}
 *         """)
 *         .stubs(vendor -> vendor.stubFor(post(anyUrl()).willReturn(ok())))
 *         .property("HUBSPOT_TOKEN", "pat-na1-0123")
 *         .connector("crm", "p-crm", "");
 *
 * private final TestHub hub = HUBSPOT.hub();
 * private final WireMockServer hubspot = HUBSPOT.vendor();
 * }</pre>
 *
 * The test class keeps JUnit's default lifecycle (a new instance a test), so its fields are set once both run. The
 * hub abandons a checkout at once ({@code cartrelay.abandonment.delay} 0s) unless a property says otherwise.
 */
public final class VendorHub implements BeforeAllCallback, AfterAllCallback {

    private final String type;
    private final String keys;
    private final List<Consumer<WireMockServer>> stubs = new ArrayList<>();
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final Map<String, Function<VendorHub, String>> connectors = new LinkedHashMap<>();
    private final Map<String, String> homeFiles = new LinkedHashMap<>();

    private WireMockServer vendor;
    private TestDatabase database;
    private TestHub hub;

    private VendorHub(String type, String keys) {
        this.type = type;
        this.keys = keys;
        properties.put("cartrelay.abandonment.delay", "0s");
    }

    /** Connectors of {@code type}, each file with these keys (YAML lines: the auth, the retry…). */
    public static VendorHub type(String type, String keys) {
        return new VendorHub(type, keys);
    }

    /** Stubs the vendor answers with, set up once it has started. */
    public VendorHub stubs(Consumer<WireMockServer> stub) {
        stubs.add(stub);
        return this;
    }

    public VendorHub property(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    /** Connector {@code name} of this type, taking product {@code product}, with these further keys. */
    public VendorHub connector(String name, String product, String extra) {
        return connector(name, vendorHub -> vendorHub.file(name, product, extra));
    }

    /** Connector {@code name} whose file is written whole, once the vendor's address is known. */
    public VendorHub connector(String name, Function<VendorHub, String> file) {
        connectors.put(name, file);
        return this;
    }

    /** Writes {@code relative} (e.g. {@code connectors/templates/x.mustache}) into the hub's home before it starts. */
    public VendorHub homeFile(String relative, String content) {
        homeFiles.put(relative, content);
        return this;
    }

    /** The file {@link #connector(String, String, String)} writes for connector {@code name}. */
    public String file(String name, String product, String extra) {
        return """
                type: %s
                endpoint: %s
                %s
                filter: {products: ["%s"]}
                %s
                """.formatted(type, url("/" + name), keys.strip(), product, extra);
    }

    /** The vendor's address of {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + vendor().port() + path;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        vendor = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        vendor.start();
        stubs.forEach(stub -> stub.accept(vendor));
        database = TestDatabase.create();
        Path home = Files.createTempDirectory("cartrelay-home");
        for (Map.Entry<String, String> file : homeFiles.entrySet()) {
            Path target = home.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        TestHub.Builder builder = TestHub.on(database).home(home);
        properties.forEach(builder::property);
        connectors.forEach((name, file) -> builder.connector(name, file.apply(this)));
        hub = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Teardown.inOrder(hub, vendor == null ? null : vendor::stop, database);
    }

    public TestHub hub() {
        return started(hub);
    }

    public WireMockServer vendor() {
        return started(vendor);
    }

    private static <T> T started(T part) {
        if (part == null) {
            throw new IllegalStateException("The vendor and its hub start before the class's first test "
                    + "(register VendorHub as a static field, keep the default per-method test instances)");
        }
        return part;
    }
}
