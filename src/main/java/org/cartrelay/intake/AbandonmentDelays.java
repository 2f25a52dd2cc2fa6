package org.cartrelay.intake;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import org.cartrelay.config.CartRelayProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The abandonment delay of each source: its own {@code cartrelay.sources.<name>.abandonment-delay}, else
 * {@code cartrelay.abandonment.delay} (for a source no {@link IntakeSource} names, too).
 */
@Component
public class AbandonmentDelays {

    // the sources are looked up on first use: they need the intake, and the intake needs the lifecycle that asks
    private final ObjectProvider<IntakeSource> sources;
    private final Duration fallback;
    private volatile Map<String, Duration> bySource;

    public AbandonmentDelays(ObjectProvider<IntakeSource> sources, CartRelayProperties properties) {
        this.sources = sources;
        this.fallback = properties.abandonment().delay();
    }

    public Duration of(String source) {
        Map<String, Duration> delays = bySource;
        if (delays == null) {
            delays = sources.orderedStream()
                    .filter(s -> s.abandonmentDelay() != null)
                    .collect(Collectors.toUnmodifiableMap(IntakeSource::name, IntakeSource::abandonmentDelay));
            bySource = delays;
        }
        return delays.getOrDefault(source, fallback);
    }
}
