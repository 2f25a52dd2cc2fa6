package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.support.DueScan;
import org.cartrelay.support.FailureStreak;
import org.cartrelay.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connector's own delivery loop: a pump thread leases due deliveries in batches (up to {@code prefetch} per worker,
 * as far as the connector's state, breaker and throttle allow), and a fixed pool of workers sends them. The pool comes
 * from Camel's {@link ExecutorServiceManager}, named {@code deliver-<connector>} (so JMX lists it among Camel's thread
 * pools). The pump leases again once half the batch is done, so a fast receiver costs one claim per many deliveries;
 * while the lane has caught up, the fan-out gives it new deliveries as it writes them ({@link #reserve}), and they cost
 * no claim at all. A slow or failing connector fills only its own pool; nothing it does delays another lane.
 * <p>
 * Order: deliveries with the same {@link org.cartrelay.connectors.Connector#orderKey} (one checkout's, by default) go
 * out one at a time, in the order they reached the lane; a later one waits in the lane until the earlier one's
 * attempt has ended. While its breaker is open the lane leases only retries, and while the attempt recorder cannot
 * write, nothing: a delivery whose attempt is waiting to be recorded must not be claimed again.
 */
final class DeliveryLane {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLane.class);
    /** What a worker leaves of a lease for the call itself: it does not start a call later than this before the end. */
    static final Duration CALL_MARGIN = Duration.ofSeconds(5);

    private final ConnectorRuntime runtime;
    private final OutboxStore outbox;
    private final DeliveryWorker worker;
    private final AttemptRecorder recorder;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration leaseMargin;
    /** What this instance's lease tokens begin with, so that another can release them when this one is gone. */
    private final String tokenPrefix;

    private final int concurrency;
    /** Deliveries this lane may hold leased at once: in flight plus waiting for a worker. */
    private final int capacity;
    /** Free places at which the pump leases again: half the lane. */
    private final int refill;

    private final ExecutorServiceManager executors;
    private final ExecutorService workers;
    private final Semaphore free;
    /** Leased deliveries not finished yet (id → lease token): in flight, waiting for a worker or for their key. */
    private final Map<String, String> inFlight = new ConcurrentHashMap<>();
    /** Order keys with a delivery in flight, each with the deliveries that wait for it, in order. */
    private final Map<String, Queue<Runnable>> busyKeys = new HashMap<>();
    /** Whether the last claim found fewer due deliveries than it could take: none is waiting, as far as it knows. */
    private volatile boolean caughtUp;
    /** Where the next claim looks for due deliveries. */
    private final DueScan dueScan = new DueScan();

    private final FailureStreak storeDown;
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread pump;

    DeliveryLane(
            ConnectorRuntime runtime,
            OutboxStore outbox,
            DeliveryWorker worker,
            AttemptRecorder recorder,
            ExecutorServiceManager executors,
            Clock clock,
            Duration pollInterval,
            Duration leaseMargin,
            String tokenPrefix,
            int concurrency,
            int prefetch) {
        this.runtime = runtime;
        this.outbox = outbox;
        this.worker = worker;
        this.recorder = recorder;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.leaseMargin = leaseMargin;
        this.tokenPrefix = tokenPrefix;
        this.concurrency = concurrency;
        this.capacity = concurrency * Math.max(1, prefetch);
        this.refill = (capacity + 1) / 2;
        this.storeDown = new FailureStreak(
                log,
                "Lane '" + runtime.name() + "' cannot lease deliveries",
                "Lane '" + runtime.name() + "' leases deliveries again");
        this.executors = executors;
        // a String source is the pool's id: its MBean is org.apache.camel:type=threadpools,name="deliver-<connector>"
        String pool = poolName(runtime.name());
        this.workers = executors.newThreadPool(pool, pool, workerPool(pool, concurrency));
        this.free = new Semaphore(capacity);
    }

    private static final String POOL_PREFIX = "deliver-";

    /** The name of a connector's worker pool, which Camel's thread pool MBean carries too. */
    static String poolName(String connector) {
        return POOL_PREFIX + connector;
    }

    /**
     * A fixed pool of {@code concurrency} workers with an unbounded queue (the lane's permits bound what waits in
     * it); a task given to it once it shut down is refused, not run by the caller.
     */
    private static ThreadPoolProfile workerPool(String pool, int concurrency) {
        ThreadPoolProfile profile = new ThreadPoolProfile(pool);
        profile.setPoolSize(concurrency);
        profile.setMaxPoolSize(concurrency);
        profile.setKeepAliveTime(0L);
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        profile.setAllowCoreThreadTimeOut(false);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        return profile;
    }

    /**
     * Camel's thread factory for the lanes' pools (the ones it creates for a source {@code deliver-<connector>}):
     * daemon threads named {@code deliver-<connector>-N} at the lowest priority, so deliveries take the CPU the
     * shops' requests leave (on Linux with {@code -XX:ThreadPriorityPolicy=1}: nice 4). Registered once per Camel
     * context.
     */
    static final ExecutorServiceManager.ThreadFactoryListener THREADS = (source, factory) -> {
        if (!(source instanceof String pool && pool.startsWith(POOL_PREFIX))) {
            return factory;
        }
        String prefix = pool + "-";
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = task -> {
            Thread thread = factory.newThread(task);
            thread.setName(prefix + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        };
        return threads;
    };

    void start() {
        running = true;
        pump = new Thread(this::pump, "lane-" + runtime.name());
        pump.setDaemon(true);
        pump.setPriority(Thread.MIN_PRIORITY);
        pump.start();
    }

    /** Deliveries due from {@code due} on were committed: look for them now, from there on. */
    void wake(Instant due) {
        dueScan.include(due);
        wake();
    }

    /** Deliveries may be due again with old due times (another instance's leases released): look from the earliest. */
    void rescan() {
        dueScan.reset();
        wake();
    }

    /** Something may be due now (a worker finished): look without waiting for the poll. */
    void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    private void pump() {
        while (running) {
            try {
                if (!claimAndSend()) {
                    await(pollInterval);
                }
            } catch (Throwable e) { // the pump outlives any failure: it backs off and looks again
                storeDown.failed(e);
                await(Duration.ofSeconds(1));
            }
        }
    }

    /** @return true when it leased a full batch, so the next look should come at once */
    private boolean claimAndSend() {
        Instant now = clock.instant();
        int available = free.availablePermits();
        // lease in batches: wait until half the lane is free again
        if (available < refill || recorder.failing()) {
            return false;
        }
        ConnectorRuntime.Lease lease = runtime.lease(available, now);
        int permits = lease.count();
        if (permits == 0 || !free.tryAcquire(permits)) { // or the fan-out took room meanwhile
            return false;
        }
        String token = Ids.next(tokenPrefix);
        Instant leaseUntil = leaseUntil(now);
        List<Claimed> claimed;
        try {
            claimed = lease.retriesOnly()
                    ? outbox.claimRetries(runtime.name(), permits, now, leaseUntil, token)
                    : outbox.claim(runtime.name(), permits, dueScan.from(now), now, leaseUntil, token);
        } catch (RuntimeException e) {
            free.release(permits);
            throw e;
        }
        storeDown.succeeded();
        if (claimed.size() < permits) {
            free.release(permits - claimed.size());
        }
        if (!lease.retriesOnly()) {
            if (claimed.size() < permits) {
                dueScan.caughtUp(now);
            } else {
                dueScan.stoppedAt(claimed.get(claimed.size() - 1).nextAttemptAt(), now);
            }
        }
        caughtUp = claimed.size() < permits;
        runtime.onLeased(claimed.size(), true);
        claimed.forEach(delivery -> send(delivery, token, leaseUntil));
        return claimed.size() == permits;
    }

    /**
     * The lease of deliveries just given their place in the lane: the last of them waits for every one the lane holds
     * before it, its workers taking each at most the connector's timeout.
     */
    private Instant leaseUntil(Instant now) {
        int held = capacity - free.availablePermits();
        Duration timeout = runtime.connector().definition().timeout();
        return now.plus(timeout.multipliedBy((held + concurrency - 1) / concurrency))
                .plus(leaseMargin);
    }

    /** Hands a leased delivery, whose place in the lane is taken, to a worker once no earlier one of its key is out. */
    private void send(Claimed delivery, String token, Instant leaseUntil) {
        inFlight.put(delivery.id(), token);
        String key = runtime.connector().orderKey(delivery.checkoutId(), delivery.email());
        Runnable task = () -> run(delivery, token, leaseUntil, key);
        if (key == null) {
            execute(task);
            return;
        }
        synchronized (busyKeys) {
            Queue<Runnable> waiting = busyKeys.get(key);
            if (waiting != null) {
                waiting.add(task);
                return;
            }
            busyKeys.put(key, new ArrayDeque<>());
        }
        execute(task);
    }

    private void execute(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException stopping) {
            // the lane stopped: the delivery stays among the unfinished leases, which go back to pending
        }
    }

    private void run(Claimed delivery, String token, Instant leaseUntil, String key) {
        try {
            DeliveryWorker.Result result = worker.attempt(runtime, delivery, token, leaseUntil.minus(CALL_MARGIN));
            if (result instanceof DeliveryWorker.Attempted attempted) {
                recorder.add(attempted.finished());
            } else if (result instanceof DeliveryWorker.Withheld withheld) {
                outbox.suppressLeased(delivery.id(), token, withheld.reason(), clock.instant());
            } else if (((DeliveryWorker.NotSent) result).cancelled()) {
                outbox.cancelLeased(delivery.id(), token, clock.instant());
            } else {
                // paused, disabled, its breaker open or its target's wait too long for this lease: no attempt is
                // spent, and it is due again from its old due time on
                outbox.releaseOne(delivery.id(), token);
                dueScan.reset();
            }
        } catch (Throwable e) {
            // nothing recorded: the lease runs out and the delivery is sent again with the same id
            log.error("Delivery {} to '{}' failed unexpectedly: {}", delivery.id(), runtime.name(), e.toString());
        } finally {
            inFlight.remove(delivery.id());
            free.release();
            if (key != null) {
                Runnable next;
                synchronized (busyKeys) {
                    next = busyKeys.get(key).poll();
                    if (next == null) {
                        busyKeys.remove(key);
                    }
                }
                if (next != null) {
                    execute(next);
                }
            }
            // the pump leases again once half the lane is free (waking it sooner finds it nothing to do), if
            // deliveries are waiting for it: a lane that has caught up gets its new ones from the fan-out, and
            // retries and the rest at its next poll
            if (!caughtUp && free.availablePermits() >= refill) {
                wake();
            }
        }
    }

    /**
     * Room in this lane for new deliveries that are due now, which the fan-out then writes leased to it and hands
     * over once they commit, so that they need no claim: only while the lane has caught up (no older delivery is
     * waiting, which they would overtake) and its connector may send (active, breaker closed, not waiting for its
     * target, within its rate).
     *
     * @return the room, for up to {@code wanted} deliveries, or {@code null}
     */
    Reservation reserve(int wanted, Instant now) {
        if (!running || !caughtUp || recorder.failing()) {
            return null;
        }
        int room = Math.min(wanted, free.availablePermits());
        ConnectorRuntime.Lease lease = runtime.lease(room, now);
        int permits = lease.retriesOnly() ? 0 : lease.count();
        if (permits == 0 || !free.tryAcquire(permits)) {
            return null;
        }
        if (permits < wanted) {
            caughtUp = false; // the rest are written for a claim, and later ones must not overtake them
        }
        return new Reservation(this, Ids.next(tokenPrefix), leaseUntil(now), permits);
    }

    /** Room taken in a lane for deliveries written leased to it: their lease token and expiry, and how many. */
    record Reservation(DeliveryLane lane, String token, Instant leaseUntil, int size) {}

    /** The reserved deliveries were committed, leased with the reservation's token: they go out now. */
    void handOver(Reservation reservation, List<Claimed> deliveries) {
        if (deliveries.size() < reservation.size()) {
            free.release(reservation.size() - deliveries.size());
        }
        if (!running) {
            // stopped meanwhile: they go back to pending for the next start, as unfinished ones do
            outbox.release(deliveries.stream().collect(Collectors.toMap(Claimed::id, d -> reservation.token())));
            free.release(deliveries.size());
            return;
        }
        runtime.onLeased(deliveries.size(), false);
        deliveries.forEach(delivery -> send(delivery, reservation.token(), reservation.leaseUntil()));
    }

    /** What the reservation was for was not committed: the room is free again. */
    void cancel(Reservation reservation) {
        free.release(reservation.size());
    }

    private void await(Duration timeout) {
        synchronized (signal) {
            if (!signalled && running) {
                try {
                    signal.wait(Math.max(1, timeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            signalled = false;
        }
    }

    /** Stops leasing, lets in-flight deliveries finish within the timeout, and returns the rest to pending. */
    void stop(Duration timeout) throws InterruptedException {
        running = false;
        wake();
        if (pump != null) {
            pump.join(timeout.toMillis());
        }
        workers.shutdown();
        if (!workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn(
                    "Lane '{}': {} deliveries still leased at shutdown go back to pending",
                    runtime.name(),
                    capacity - free.availablePermits());
            workers.shutdownNow();
        }
        executors.shutdown(workers); // Camel forgets the pool and its MBean
    }

    /** Deliveries that had not finished when the lane stopped, with their lease tokens. */
    Map<String, String> unfinishedLeases() {
        return inFlight;
    }
}
