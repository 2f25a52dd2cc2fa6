package org.cartrelay.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** Real time plus an offset that a test can move forward, to pass a due time without waiting for it. */
public class MutableClock extends Clock {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);
    private volatile Instant pinned;

    public void advance(Duration by) {
        offset.updateAndGet(current -> current.plus(by));
    }

    /** Stops the clock at one instant (e.g. a fixture's signing time). */
    public void pin(Instant at) {
        pinned = at;
    }

    @Override
    public Instant instant() {
        Instant at = pinned;
        return (at != null ? at : Instant.now()).plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
