package org.cartrelay.intake;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import org.springframework.http.ResponseEntity;

import jakarta.servlet.http.HttpServletRequest;

/**
 * One source of notices, as data: a bean of this type is all a source package declares for {@link IntakeEndpoints}
 * to serve its path and {@link AbandonmentDelays} to time its checkouts. Its settings are its own
 * {@code @ConfigurationProperties} record under {@code cartrelay.sources.<name>}.
 *
 * @param name the source's name, as its notices, checkouts and metrics carry it
 * @param path the servlet path it is served on; two sources never share one
 * @param handlers its handler for each HTTP method it answers; any other method gets 405 with {@code Allow}
 * @param abandonmentDelay how long its started checkouts wait for their order; null for
 *     {@code cartrelay.abandonment.delay}
 * @param secretProperty the setting of the secret that proves its senders; unset, the source is disabled
 * @param enabled whether that secret is set
 */
public record IntakeSource(
        String name,
        String path,
        Map<String, Handler> handlers,
        Duration abandonmentDelay,
        String secretProperty,
        boolean enabled) {

    /** Whether a source's secret is set: a source without it answers 404. */
    public static boolean isSet(String secret) {
        return secret != null && !secret.isBlank();
    }

    /** Answers one request; the refusals {@link IntakeErrors} knows may be thrown instead. */
    @FunctionalInterface
    public interface Handler {
        ResponseEntity<?> handle(HttpServletRequest request) throws IOException;
    }
}
