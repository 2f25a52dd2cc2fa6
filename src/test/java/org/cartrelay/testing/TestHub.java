package org.cartrelay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.cartrelay.CartRelayApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A whole hub started the way {@code java -jar} starts it, on a home folder of the test's own (connectors written
 * by the test) and a {@link TestDatabase}. Closing it and starting another on the same home and database is a
 * restart.
 */
public final class TestHub implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ConfigurableApplicationContext context;
    private final MutableClock clock;

    private TestHub(ConfigurableApplicationContext context, MutableClock clock) {
        this.context = context;
        this.clock = clock;
    }

    public static Builder on(TestDatabase database) {
        return new Builder(database);
    }

    public static final class Builder {
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final Map<String, String> connectors = new LinkedHashMap<>();
        private final Map<String, Object> beans = new LinkedHashMap<>();
        private Path home;
        private MutableClock clock = new MutableClock();

        private Builder(TestDatabase database) {
            properties.put("server.port", "0");
            properties.put("cartrelay.sources.digistore24.passphrase", Fixtures.DIGISTORE24_PASSPHRASE);
            properties.put("cartrelay.sources.shopify.secret", Fixtures.SHOPIFY_SECRET);
            properties.put("cartrelay.sources.generic.secret", Fixtures.GENERIC_SECRET);
            properties.put("cartrelay.sources.woocommerce.token", "woo-test-token");
            properties.put("cartrelay.abandonment.poll-interval", "100ms");
            properties.put("cartrelay.delivery.poll-interval", "50ms");
            properties.put("camel.main.jmx-enabled", "false");
            properties.put("spring.jmx.enabled", "false");
            properties.putAll(database.properties());
        }

        public Builder property(String name, Object value) {
            properties.put(name, value);
            return this;
        }

        /** Writes {@code connectors/<name>.yaml} into the hub's home. */
        public Builder connector(String name, String yaml) {
            connectors.put(name, yaml);
            return this;
        }

        /** Reuses a home folder, e.g. to restart a hub. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** Adds a bean of the test's own to the hub's context (an in-memory span exporter, say). */
        public Builder bean(String name, Object bean) {
            beans.put(name, bean);
            return this;
        }

        public Builder clock(MutableClock clock) {
            this.clock = clock;
            return this;
        }

        public TestHub start() {
            try {
                if (home == null) {
                    home = Files.createTempDirectory("cartrelay-home");
                }
                Files.createDirectories(home.resolve("connectors"));
                Files.createDirectories(home.resolve("routes"));
                for (Map.Entry<String, String> connector : connectors.entrySet()) {
                    Files.writeString(
                            home.resolve("connectors").resolve(connector.getKey() + ".yaml"), connector.getValue());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            properties.put("cartrelay.home", home.toString());
            MutableClock hubClock = clock;
            // as command-line arguments, so they win over the working directory's config/application.yml
            String[] args = properties.entrySet().stream()
                    .map(p -> "--" + p.getKey() + "=" + p.getValue())
                    .toArray(String[]::new);
            ConfigurableApplicationContext context = new SpringApplicationBuilder(CartRelayApplication.class)
                    .initializers(ctx -> {
                        ctx.getBeanFactory().registerSingleton("clock", (Clock) hubClock);
                        beans.forEach(ctx.getBeanFactory()::registerSingleton);
                    })
                    .run(args);
            return new TestHub(context, hubClock);
        }
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Sessions the hub's servlet container holds now. */
    public int activeSessions() {
        TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) context).getWebServer();
        for (Container child : server.getTomcat().getHost().findChildren()) {
            if (child instanceof Context web) {
                return web.getManager().getActiveSessions();
            }
        }
        throw new IllegalStateException("The hub's Tomcat has no web application");
    }

    public MutableClock clock() {
        return clock;
    }

    public JdbcClient jdbc() {
        return context.getBean(JdbcClient.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Whether the hub has a bean of this type (one its settings leave out has none). */
    public boolean has(Class<?> type) {
        return context.getBeanProvider(type).getIfAvailable() != null;
    }

    public Path home() {
        return Path.of(context.getEnvironment().getProperty("cartrelay.home-dir"));
    }

    public long count(String sql, Object... params) {
        return jdbc().sql(sql).params(params).query(Long.class).single();
    }

    public HttpResponse<String> postForm(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
                request.header(name, value);
            }
        });
        return send(request);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
