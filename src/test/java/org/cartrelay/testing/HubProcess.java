package org.cartrelay.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.cartrelay.CartRelayApplication;

/**
 * The hub in a JVM of its own, started like {@code java -cp … CartRelayApplication}, so a test can SIGKILL it
 * (no shutdown hook, no graceful anything) and start it again on the same database.
 */
public final class HubProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private HubProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static HubProcess start(Path home, Map<String, Object> properties, Path log) throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                CartRelayApplication.class.getName(),
                "--server.port=" + port,
                "--cartrelay.home=" + home,
                "--cartrelay.sources.generic.secret=" + Fixtures.GENERIC_SECRET,
                "--camel.main.jmx-enabled=false"));
        properties.forEach((name, value) -> command.add("--" + name + "=" + value));
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        HubProcess hub = new HubProcess(process, port);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(
                                "The hub process exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        return TestHub.send(HttpRequest.newBuilder(hub.uri().resolve("/actuator/health"))
                                                .GET())
                                        .statusCode()
                                == 200;
                    } catch (RuntimeException notYet) {
                        return false;
                    }
                });
        return hub;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The process id, which the hub registers itself with. */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the process gets no chance to finish or release anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }
}
