package org.cartrelay.support;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Where a repeated look for due rows starts (the abandonment timer's for checkouts, a lane's for deliveries), so that
 * it does not step over the rows earlier looks took. A row that leaves a partial "pending" index (a checkout
 * abandoned, a delivery delivered) leaves its entry behind until the table is vacuumed, and a look from the earliest
 * due time reads every such entry, look after look: a tenth of a millisecond per look after a few thousand, growing
 * until vacuum.
 * <p>
 * A look starts a margin before the time of the last look that found all that was due: a row that had not committed
 * then was written less than the margin before (its due time is its writing time or later), so it lies after that
 * start; and a writer in this process moves the start back to what it committed ({@link #include}). A look that
 * stopped at its limit is continued from the last due time it took. A look starts from the earliest after start-up,
 * after {@link #reset()}, and every {@link #FULL_LOOK_EVERY}, for rows that become due again with an old due time (a
 * lease that ran out, another instance's commit that took longer than the margin or whose clock runs behind).
 */
public final class DueScan {

    /** More than a write takes from taking its time to committing. */
    public static final Duration MARGIN = Duration.ofSeconds(2);

    public static final Duration FULL_LOOK_EVERY = Duration.ofSeconds(10);

    private final LongSupplier nanoTime;
    /** Where the next look may start; {@code null}: from the earliest. */
    private Instant from;
    /** The earliest due time committed by a writer here since the current look started, or {@code null}. */
    private Instant includedSince;
    /** Whether {@link #reset()} was called since the current look started. */
    private boolean resetSince;

    private long lastFullLook;

    public DueScan() {
        this(System::nanoTime);
    }

    /** With the monotonic time (in nanoseconds) that paces the full looks. */
    DueScan(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.lastFullLook = nanoTime.getAsLong();
    }

    /** Where a look at {@code now} starts; {@code null}: from the earliest due time. */
    public synchronized Instant from(Instant now) {
        includedSince = null;
        resetSince = false;
        long time = nanoTime.getAsLong();
        if (from == null || time - lastFullLook > FULL_LOOK_EVERY.toNanos()) {
            lastFullLook = time;
            return null;
        }
        // a clock set back moves the start back with it
        return earlier(from, now.minus(MARGIN));
    }

    /** A look at {@code now} found fewer rows than it asked for: everything due by then was seen. */
    public synchronized void caughtUp(Instant now) {
        from = resetSince ? null : earlier(now.minus(MARGIN), includedSince);
    }

    /** A look at {@code now} stopped at its limit; the last row it took was due at {@code lastDue}. */
    public synchronized void stoppedAt(Instant lastDue, Instant now) {
        from = resetSince ? null : earlier(earlier(lastDue, now.minus(MARGIN)), includedSince);
    }

    /**
     * Rows due from {@code due} on were committed just now: the next look starts no later than that, however long
     * their commit took. Writers in this process say so; the margin and the full looks are for the others.
     */
    public synchronized void include(Instant due) {
        // a look under way may not have seen them: it must not move the start past them when it ends
        includedSince = earlier(includedSince, due);
        if (from != null) {
            from = earlier(from, due);
        }
    }

    /** Rows may be due again with an old due time (released, or a look failed): the next look is from the earliest. */
    public synchronized void reset() {
        from = null;
        resetSince = true; // and a look under way does not set a start when it ends
    }

    /** The earlier of two times, either of which may be missing. */
    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }
}
