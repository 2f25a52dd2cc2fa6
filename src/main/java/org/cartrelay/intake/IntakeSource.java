package org.cartrelay.intake;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import org.springframework.http.ResponseEntity;

import jakarta.servlet.http.HttpServletRequest;

/**
 * One source of notices: a bean of this type is all a source package declares for {@link IntakeEndpoints} to serve
 * its path and {@link AbandonmentDelays} to time its checkouts. Its settings are its own
 * {@code @ConfigurationProperties} record under {@code cartrelay.sources.<name>}.
 */
public interface IntakeSource {

    /** The source's name, as its notices, checkouts and metrics carry it. */
    String name();

    /** The servlet path it is served on; two sources never share one. */
    String path();

    /** Its handler for each HTTP method it answers; any other method gets 405 with {@code Allow}. */
    Map<String, Handler> handlers();

    /** How long its started checkouts wait for their order; null for {@code cartrelay.abandonment.delay}. */
    Duration abandonmentDelay();

    /** Answers one request; the refusals {@link IntakeErrors} knows may be thrown instead. */
    @FunctionalInterface
    interface Handler {
        ResponseEntity<?> handle(HttpServletRequest request) throws IOException;
    }
}
