package org.cartrelay.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Finished;
import org.cartrelay.support.FailureStreak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes finished attempts in batches, one transaction for everything that finished since the last write, so
 * thousands of deliveries a second do not mean thousands of commits. Until written, a delivery is leased: if the
 * hub dies first, the lease runs out and the delivery is sent again with the same id. A batch that cannot be written
 * (the store is down, even a failed rollback) is kept and tried again until it is written; meanwhile the lanes lease
 * nothing ({@link #failing}), so that no delivery whose attempt waits here is claimed and sent again.
 */
@Component
public class AttemptRecorder {

    private static final Logger log = LoggerFactory.getLogger(AttemptRecorder.class);
    private static final int BATCH = 500;

    private final OutboxStore outbox;
    private final LinkedBlockingQueue<Finished> queue = new LinkedBlockingQueue<>();
    private final FailureStreak failures = new FailureStreak(
            log, "Finished delivery attempts cannot be recorded", "Finished delivery attempts are recorded again");
    private volatile boolean failing;
    private final AtomicLong failedWrites = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    public AttemptRecorder(OutboxStore outbox) {
        this.outbox = outbox;
    }

    void add(Finished finished) {
        queue.add(finished);
    }

    /** Whether the last write failed and attempts wait to be recorded. */
    boolean failing() {
        return failing;
    }

    /** Writes that failed since start-up (each is tried again until it succeeds). */
    public long failedWrites() {
        return failedWrites.get();
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "delivery-recorder");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** Writes what is queued and stops. */
    synchronized void stop(Duration timeout) throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(timeout.toMillis());
        }
        flush();
    }

    private void run() {
        while (running) {
            try {
                Finished first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Finished> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (Throwable e) { // write keeps its batch; nothing else here may end the thread
                log.error("The attempt recorder failed unexpectedly; it goes on", e);
            }
        }
    }

    private void flush() {
        List<Finished> rest = new ArrayList<>();
        queue.drainTo(rest);
        for (int i = 0; i < rest.size(); i += BATCH) {
            write(rest.subList(i, Math.min(rest.size(), i + BATCH)));
        }
    }

    private void write(List<Finished> batch) {
        while (true) {
            try {
                List<String> lost = outbox.recordAll(batch);
                failing = false;
                failures.succeeded();
                if (!lost.isEmpty()) {
                    log.warn(
                            "{} deliveries finished after their lease was lost; those attempts are not recorded: {}",
                            lost.size(),
                            lost.size() > 5 ? lost.subList(0, 5) + "…" : lost);
                }
                return;
            } catch (RuntimeException | Error e) {
                // keep the batch and try again (a failed commit or rollback included): the lanes lease nothing
                // meanwhile, and the leases keep any other instance from sending these again
                failing = true;
                failedWrites.incrementAndGet();
                failures.failed(e);
                if (!running) {
                    return;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
