package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.support.DueScan;
import org.cartrelay.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.util.CustomizableThreadCreator;

/**
 * One connector's own delivery loop: a pump thread leases due deliveries in batches (up to {@code prefetch} per
 * worker, as far as the connector's breaker and rate limit allow), and a fixed pool of workers sends them. The pump
 * leases again once half the batch is done, so a fast receiver costs one claim per many deliveries. A slow or
 * failing connector fills only its own pool; nothing it does delays another lane.
 */
final class DeliveryLane {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLane.class);
    private final ConnectorRuntime runtime;
    private final OutboxStore outbox;
    private final DeliveryWorker worker;
    private final AttemptRecorder recorder;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration leaseMargin;
    private final int concurrency;
    /** Deliveries this lane may hold leased at once: in flight plus waiting for a worker. */
    private final int capacity;
    /** Free places at which the pump leases again: half the lane. */
    private final int refill;
    private final ExecutorService workers;
    private final Semaphore free;
    /** Leased deliveries not finished yet (id → lease token): in flight or waiting for a worker. */
    private final Map<String, String> inFlight = new ConcurrentHashMap<>();
    /** Where the next claim looks for due deliveries. */
    private final DueScan dueScan = new DueScan();
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread pump;

    DeliveryLane(ConnectorRuntime runtime, OutboxStore outbox, DeliveryWorker worker, AttemptRecorder recorder,
            Clock clock, Duration pollInterval, Duration leaseMargin, int concurrency, int prefetch) {
        this.runtime = runtime;
        this.outbox = outbox;
        this.worker = worker;
        this.recorder = recorder;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.leaseMargin = leaseMargin;
        this.concurrency = concurrency;
        this.capacity = concurrency * Math.max(1, prefetch);
        this.refill = (capacity + 1) / 2;
        CustomizableThreadCreator names = new CustomizableThreadCreator("deliver-" + runtime.name() + "-");
        names.setDaemon(true);
        this.workers = Executors.newFixedThreadPool(concurrency, names::createThread);
        this.free = new Semaphore(capacity);
    }

    void start() {
        running = true;
        pump = new Thread(this::pump, "lane-" + runtime.name());
        pump.setDaemon(true);
        pump.start();
    }

    /** Deliveries due from {@code due} on were committed: look for them now, from there on. */
    void wake(Instant due) {
        dueScan.include(due);
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
            } catch (DataAccessException e) {
                log.warn("Lane '{}' cannot reach the store: {}", runtime.name(), e.getMessage());
                await(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                log.error("Lane '{}' failed unexpectedly; it goes on", runtime.name(), e);
                await(Duration.ofSeconds(1));
            }
        }
    }

    /** @return true when it leased a full batch, so the next look should come at once */
    private boolean claimAndSend() {
        Instant now = clock.instant();
        int available = free.availablePermits();
        // lease in batches: wait until half the lane is free again
        if (available < refill) {
            return false;
        }
        int permits = runtime.permits(available, now);
        if (permits == 0) {
            return false;
        }
        String token = Ids.next("lse");
        // the last of a batch waits for the ones before it, so the lease covers the whole batch
        Duration timeout = runtime.connector().definition().timeout();
        Instant leaseUntil = now.plus(timeout.multipliedBy(capacity / concurrency + 1)).plus(leaseMargin);
        List<Claimed> claimed = outbox.claim(runtime.name(), permits, dueScan.from(now), now, leaseUntil, token);
        if (claimed.size() < permits) {
            dueScan.caughtUp(now);
            runtime.returnUnused(permits - claimed.size(), now);
        } else {
            dueScan.stoppedAt(claimed.get(claimed.size() - 1).nextAttemptAt(), now);
        }
        if (claimed.isEmpty()) {
            return false;
        }
        for (Claimed delivery : claimed) {
            free.acquireUninterruptibly();
            inFlight.put(delivery.id(), token);
            workers.execute(() -> {
                try {
                    if (!runtime.maySend(clock.instant())) {
                        // paused, disabled or its breaker opened while this one waited: no attempt is spent, and
                        // it is due again from its old due time on
                        outbox.releaseOne(delivery.id(), token);
                        dueScan.reset();
                        return;
                    }
                    recorder.add(worker.attempt(runtime, delivery, token));
                } catch (RuntimeException e) {
                    // nothing recorded: the lease runs out and the delivery is sent again with the same id
                    log.error("Delivery {} to '{}' failed unexpectedly: {}", delivery.id(), runtime.name(), e.toString());
                    runtime.onLeaseLost();
                } finally {
                    inFlight.remove(delivery.id());
                    free.release();
                    // the pump leases again once half the lane is free; waking it sooner finds it nothing to do
                    if (free.availablePermits() >= refill) {
                        wake();
                    }
                }
            });
        }
        return claimed.size() == permits;
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
            log.warn("Lane '{}': {} deliveries still leased at shutdown go back to pending", runtime.name(),
                    capacity - free.availablePermits());
            workers.shutdownNow();
        }
    }

    /** Deliveries that had not finished when the lane stopped, with their lease tokens. */
    Map<String, String> unfinishedLeases() {
        return inFlight;
    }
}
