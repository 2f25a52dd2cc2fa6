package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;

/**
 * How fast one connector may call its target: its {@code rateLimit} (calls, not deliveries), and what the target
 * itself asks for. A 429, or a 503 with {@code Retry-After}, means "slow down": the connector as a whole waits until
 * the time the target named (clamped to {@code max-wait}; without one, {@code default-wait}, doubled for each such
 * answer in a row), then goes on at a lower rate and concurrency that grow back while calls succeed.
 * <p>
 * The rule (a multiplicative decrease, then an increase shaped like TCP CUBIC's): the first "slow down" measures the
 * calls that succeeded in the last second (fewer than one tells no rate: then only the wait and the concurrency slow
 * it down), a later one takes the current limit; that is the rate it was cut from, and it goes on at
 * {@value #DECREASE} of it. Answers to calls that were in flight together count once. Each also takes one from the
 * calls it makes at once (a target that limits connections answers 429 too), which then grows by one a second.
 * <p>
 * Each second without one, the limit closes {@value #RECOVER} of its gap to {@value #RECOVER_TO} of the rate it was
 * cut from (the target refused there, so its limit lies below), and from there probes higher, slowly at first and
 * faster the longer calls succeed: by {@value #PROBE} of that rate times the seconds it has probed (at least
 * {@value #MIN_STEP} calls/s). So it stays long just under the target's limit, and the rates it is cut from close in
 * on that limit. A limit that has doubled since its cut, or that reaches {@code rateLimit}, is lifted: the target no
 * longer holds the connector back there. The rate is a token bucket of Bucket4j's, whose burst is a twentieth of a
 * second's calls: it fills while the connector waits, and a larger burst at the end of a wait would exceed what a
 * target's own burst allows.
 */
final class Throttle {

    private static final Logger log = LoggerFactory.getLogger(Throttle.class);
    static final double DECREASE = 0.95;
    static final double RECOVER = 0.2;
    static final double RECOVER_TO = 0.97;
    static final double PROBE = 0.002;
    static final double MIN_STEP = 0.1;
    /** The lowest rate a "slow down" takes the connector to, in calls per second. */
    static final double MIN_RATE = 0.1;

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final Pattern RATE = Pattern.compile("^(\\d+)/(s|m|h)$");

    private final String connector;
    private final Clock clock;
    private final int maxConcurrency;
    /** The connector's own {@code rateLimit} in calls per second; infinite when it has none. */
    private final double ceiling;

    private final Duration defaultWait;
    private final Duration maxWait;

    private final AtomicInteger active = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition slotFreed = lock.newCondition();
    private final SuccessWindow successes = new SuccessWindow();

    private volatile Instant waitUntil = Instant.EPOCH;
    private volatile int concurrency;
    /** The limit the target's answers set, in calls per second; infinite while none holds. */
    private volatile double limit = Double.POSITIVE_INFINITY;
    /** The bucket of the effective rate (the lower of limit and ceiling); null when unlimited. */
    private volatile Bucket bucket;
    /** The instances' common bucket of the ceiling, in the database; null when none is shared. */
    private final Bucket shared;
    /** Whether the shared bucket failed at the last try (said once; this instance's own bucket limits meanwhile). */
    private volatile boolean sharedFailing;
    /** Tokens taken from the shared bucket and not spent yet: it is asked for up to its burst at a time. */
    private final AtomicInteger sharedTaken = new AtomicInteger();
    /** How many tokens one trip to the shared bucket takes at most: its burst. */
    private final int sharedChunk;
    /** Whether a "slow down" was answered since the last success: the next one doubles the default wait. */
    private volatile int signalsInARow;
    // guarded by this
    private double cutFrom;
    /** Seconds the limit has spent at or above the rate it was cut from. */
    private long probing;

    private Instant episodeEnd = Instant.EPOCH;
    private long lastGrowth;

    Throttle(
            String connector, Clock clock, int maxConcurrency, double ceiling, Duration defaultWait, Duration maxWait) {
        this(connector, clock, maxConcurrency, ceiling, defaultWait, maxWait, null);
    }

    /** The same, with {@code shared}: the bucket of {@code rateLimit} that all instances draw from (null: none). */
    Throttle(
            String connector,
            Clock clock,
            int maxConcurrency,
            double ceiling,
            Duration defaultWait,
            Duration maxWait,
            Bucket shared) {
        this.shared = shared;
        this.sharedChunk = Double.isInfinite(ceiling) ? 1 : (int) burst(ceiling);
        this.connector = connector;
        this.clock = clock;
        this.maxConcurrency = maxConcurrency;
        this.concurrency = maxConcurrency;
        this.ceiling = ceiling;
        this.defaultWait = defaultWait;
        this.maxWait = maxWait;
        this.bucket = Double.isInfinite(ceiling) ? null : bucket(ceiling);
    }

    /** A {@code rateLimit} such as {@code 10/s}, {@code 600/m} or {@code 5000/h} in calls per second; none: infinite. */
    static double perSecond(String rateLimit) {
        if (rateLimit == null) {
            return Double.POSITIVE_INFINITY;
        }
        Matcher m = RATE.matcher(rateLimit.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("a rate such as 10/s, 600/m or 5000/h");
        }
        long seconds = switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            default -> 3600;
        };
        return Long.parseLong(m.group(1)) / (double) seconds;
    }

    /** When the target's last "slow down" ends; in the past when none holds. */
    Instant waitUntil() {
        return waitUntil;
    }

    int concurrency() {
        return concurrency;
    }

    /** The rate the connector may call at now, in calls per second; infinite when unlimited. */
    double rate() {
        return Math.min(limit, ceiling);
    }

    /** A rate as "12.5/s", or "unlimited". */
    static String describe(double perSecond) {
        return Double.isInfinite(perSecond) ? "unlimited" : String.format(Locale.ROOT, "%.1f/s", perSecond);
    }

    /** How many of {@code free} deliveries the lane may lease now: none while waiting, about a second's calls. */
    int leasable(int free, Instant now) {
        if (now.isBefore(waitUntil)) {
            return 0;
        }
        Bucket rated = bucket;
        if (rated == null) {
            return free;
        }
        long soon = rated.getAvailableTokens() + (long) Math.ceil(rate());
        return (int) Math.max(1, Math.min(free, soon));
    }

    /**
     * Waits until one more call may be made: the target's wait over, a place within the concurrency, a token of
     * the rate.
     *
     * @return false when that would take beyond {@code deadline}, or the thread was interrupted
     */
    boolean enter(Instant deadline) {
        while (true) {
            Instant now = clock.instant();
            Instant until = waitUntil;
            if (now.isBefore(until)) {
                if (until.isAfter(deadline) || !sleepUntil(until)) {
                    return false;
                }
                continue;
            }
            if (!takeSlot(deadline)) {
                return false;
            }
            Bucket rated = bucket;
            if (rated != null && !rated.tryConsume(1)) {
                long nanos = Duration.between(clock.instant(), deadline).toNanos();
                boolean got;
                try {
                    got = nanos > 0 && rated.asBlocking().tryConsume(1, nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    got = false;
                }
                if (!got) {
                    leave(false);
                    return false;
                }
            }
            if (!takeShared(deadline)) {
                if (rated != null) {
                    rated.addTokens(1);
                }
                leave(false);
                return false;
            }
            if (clock.instant().isBefore(waitUntil)) { // the target asked to wait while this call waited its turn
                if (rated != null) {
                    rated.addTokens(1);
                }
                giveBackShared();
                leave(false);
                continue;
            }
            return true;
        }
    }

    /**
     * A token of the instances' common {@code rateLimit}, waiting for it up to {@code deadline}. While the database
     * cannot give one, this instance's own bucket is the limit (said once), and the call goes on.
     */
    private boolean takeShared(Instant deadline) {
        if (shared == null) {
            return true;
        }
        for (int left = sharedTaken.get(); left > 0; left = sharedTaken.get()) {
            if (sharedTaken.compareAndSet(left, left - 1)) {
                return true;
            }
        }
        try {
            // one trip takes up to a burst's tokens, so the database is asked at most about 20 times a second
            long taken = shared.tryConsumeAsMuchAsPossible(sharedChunk);
            if (taken > 1) {
                sharedTaken.addAndGet((int) taken - 1);
            }
            boolean got = taken > 0;
            if (!got) {
                long nanos = Duration.between(clock.instant(), deadline).toNanos();
                got = nanos > 0 && shared.asBlocking().tryConsume(1, nanos);
            }
            if (sharedFailing) {
                sharedFailing = false;
                log.info("Connector '{}': the instances' shared rate limit answers again", connector);
            }
            return got;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            if (!sharedFailing) {
                sharedFailing = true;
                log.warn(
                        "Connector '{}': the instances' shared rate limit is unreachable ({}); this instance keeps to "
                                + "its rateLimit on its own until it answers",
                        connector,
                        e.toString());
            }
            return true;
        }
    }

    private void giveBackShared() {
        if (shared != null) {
            sharedTaken.incrementAndGet(); // spent by this instance's next call
        }
    }

    private boolean sleepUntil(Instant until) {
        long nanos = Duration.between(clock.instant(), until).toNanos();
        if (nanos > 0) {
            LockSupport.parkNanos(this, nanos);
        }
        return !Thread.currentThread().isInterrupted();
    }

    private boolean takeSlot(Instant deadline) {
        for (int held = active.get(); held < concurrency; held = active.get()) {
            if (active.compareAndSet(held, held + 1)) {
                return true;
            }
        }
        lock.lock();
        try {
            while (active.get() >= concurrency) {
                long nanos = Duration.between(clock.instant(), deadline).toNanos();
                if (nanos <= 0 || slotFreed.awaitNanos(nanos) <= 0 && active.get() >= concurrency) {
                    return false;
                }
            }
            active.incrementAndGet();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** A call entered through {@link #enter} ended; {@code succeeded}: its answer was a success. */
    void leave(boolean succeeded) {
        active.decrementAndGet();
        if (concurrency < maxConcurrency) {
            lock.lock();
            try {
                slotFreed.signal();
            } finally {
                lock.unlock();
            }
        }
        if (succeeded) {
            long now = System.nanoTime();
            successes.add(now);
            if (signalsInARow != 0) {
                signalsInARow = 0;
            }
            if (concurrency < maxConcurrency || limit != Double.POSITIVE_INFINITY) {
                grow(now);
            }
        }
    }

    /**
     * The target asked to slow down, and to wait {@code retryAfter} (null: it did not say how long).
     *
     * @return the wait's new end when the target named it and this answer moved it later (for the other instances);
     *     otherwise null
     */
    synchronized Instant slowDown(Duration retryAfter, String answer) {
        Instant now = clock.instant();
        Instant before = waitUntil;
        int inARow = signalsInARow;
        signalsInARow = inARow + 1;
        Duration wait =
                retryAfter != null ? clamp(retryAfter) : clamp(defaultWait.multipliedBy(1L << Math.min(20, inARow)));
        Instant until = now.plus(wait);
        if (until.isAfter(waitUntil)) {
            waitUntil = until;
        }
        if (!now.isBefore(episodeEnd)) { // answers to calls that were in flight together count once
            double base = Double.isInfinite(limit) ? successes.perSecond(System.nanoTime()) : limit;
            if (base >= 1 || !Double.isInfinite(limit)) { // fewer than one success a second tells no rate
                cutFrom = Math.max(base, MIN_RATE);
                limit = Math.max(MIN_RATE, DECREASE * base);
                probing = 0;
            }
            concurrency = Math.max(1, concurrency - 1);
            retune();
            log.warn(
                    "Connector '{}': the target asked to slow down ({}); it waits until {}, then goes on at {}, {} "
                            + "at a time",
                    connector,
                    answer,
                    waitUntil,
                    describe(rate()),
                    concurrency);
        }
        episodeEnd = waitUntil;
        lastGrowth =
                System.nanoTime() + Math.max(0, Duration.between(now, waitUntil).toNanos());
        return retryAfter != null && waitUntil.isAfter(before) ? waitUntil : null;
    }

    /**
     * Another instance's target asked this connector to wait until {@code until}: this instance waits as long. Its
     * rate stays as it is (the answer was not to its calls).
     */
    synchronized void holdUntil(Instant until) {
        if (until.isAfter(waitUntil) && until.isAfter(clock.instant())) {
            waitUntil = until;
            log.info(
                    "Connector '{}': another instance's target asked to wait; this one waits until {}",
                    connector,
                    until);
        }
    }

    private Duration clamp(Duration wait) {
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(maxWait) > 0 ? maxWait : wait;
    }

    private synchronized void grow(long now) {
        long steps = (now - lastGrowth) / SECOND;
        if (steps <= 0) {
            return;
        }
        lastGrowth += steps * SECOND;
        concurrency = (int) Math.min(maxConcurrency, concurrency + steps);
        if (Double.isInfinite(limit)) {
            return;
        }
        double grown = limit;
        for (long i = 0; i < Math.min(steps, 600); i++) { // more and it is lifted anyway
            double below = RECOVER_TO * cutFrom;
            if (grown < below - MIN_STEP) {
                grown += Math.max(MIN_STEP, RECOVER * (below - grown));
            } else {
                grown += Math.max(MIN_STEP, PROBE * cutFrom * ++probing);
            }
        }
        if (grown >= ceiling || grown >= 2 * cutFrom) {
            limit = Double.POSITIVE_INFINITY;
            log.info("Connector '{}': back at its full rate", connector);
        } else {
            limit = grown;
        }
        retune();
    }

    /** The bucket follows the rate; a bucket already there keeps its tokens (a new one would add a burst). */
    private void retune() {
        double rate = rate();
        Bucket rated = bucket;
        if (Double.isInfinite(rate)) {
            bucket = null;
        } else if (rated == null) {
            bucket = bucket(rate);
        } else {
            rated.replaceConfiguration(configuration(rate), TokensInheritanceStrategy.AS_IS);
        }
    }

    /** A token bucket for this many calls per second, with a twentieth of a second's calls as its burst. */
    private static Bucket bucket(double perSecond) {
        return Bucket.builder().addLimit(bandwidth(perSecond)).build();
    }

    static BucketConfiguration configuration(double perSecond) {
        return BucketConfiguration.builder().addLimit(bandwidth(perSecond)).build();
    }

    private static Bandwidth bandwidth(double perSecond) {
        long tokens = Math.max(1, Math.round(perSecond * 10));
        Duration period = Duration.ofNanos(Math.round(tokens / perSecond * SECOND));
        return Bandwidth.builder()
                .capacity(burst(perSecond))
                .refillGreedy(tokens, period)
                .build();
    }

    /** A bucket's burst: a twentieth of a second's calls. */
    private static long burst(double perSecond) {
        return Math.max(1, Math.round(perSecond / 20));
    }

    /** Calls that succeeded in the last second, in ten slots of a tenth of a second. */
    static final class SuccessWindow {
        private static final int SLOTS = 10;
        private static final long SLOT = SECOND / SLOTS;
        private final AtomicLongArray counts = new AtomicLongArray(SLOTS);
        private final AtomicLongArray epochs = new AtomicLongArray(SLOTS);

        void add(long nanos) {
            long epoch = nanos / SLOT;
            int slot = (int) (epoch % SLOTS);
            if (epochs.get(slot) != epoch) {
                epochs.set(slot, epoch);
                counts.set(slot, 0);
            }
            counts.incrementAndGet(slot);
        }

        double perSecond(long nanos) {
            long epoch = nanos / SLOT;
            long sum = 0;
            for (int i = 0; i < SLOTS; i++) {
                if (epoch - epochs.get(i) < SLOTS) {
                    sum += counts.get(i);
                }
            }
            return sum;
        }
    }
}
