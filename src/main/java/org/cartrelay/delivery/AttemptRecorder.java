package org.cartrelay.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Finished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Writes finished attempts in batches, one transaction for everything that finished since the last write, so
 * thousands of deliveries a second do not mean thousands of commits. Until written, a delivery is leased: if the
 * hub dies first, the lease runs out and the delivery is sent again with the same id.
 */
@Component
public class AttemptRecorder {

    private static final Logger log = LoggerFactory.getLogger(AttemptRecorder.class);
    private static final int BATCH = 500;

    private final OutboxStore outbox;
    private final LinkedBlockingQueue<Finished> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread thread;

    public AttemptRecorder(OutboxStore outbox) {
        this.outbox = outbox;
    }

    void add(Finished finished) {
        queue.add(finished);
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
                if (!lost.isEmpty()) {
                    log.warn("{} deliveries finished after their lease was lost; those attempts are not recorded: {}",
                            lost.size(), lost.size() > 5 ? lost.subList(0, 5) + "…" : lost);
                }
                return;
            } catch (DataAccessException e) {
                // keep the batch and try again: the leases protect against a second sender meanwhile
                log.warn("Cannot record {} delivery attempts yet ({}); retrying", batch.size(), e.getMessage());
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
