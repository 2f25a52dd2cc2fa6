package org.cartrelay.intake;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.EventJson;
import org.cartrelay.intake.IntakeService.Receipt;
import org.cartrelay.lifecycle.Lifecycle;
import org.cartrelay.ops.Traces;
import org.cartrelay.store.NoticeStore;
import org.cartrelay.store.StoreUnreachable;
import org.cartrelay.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for intake. Request threads hand their notice over and wait; a committer thread takes whatever has
 * queued up (up to {@code batch-size}) and stores it in one transaction: the notices in one insert that skips
 * repeats, then each new notice's lifecycle change in arrival order. The insert also looks up the checkouts that the
 * batch's leading run of started checkouts needs (one statement on PostgreSQL), so a batch of new checkouts is three
 * round trips: that statement, the checkouts' insert and the commit. Every waiting request is answered only after
 * that commit, so a 2xx still means "kept", at a fraction of the commits. The requests' own threads prepare the rows
 * (and the canonical JSON) before they queue: the committer's time is every waiting request's.
 *
 * <p>One committer by default ({@code commit-threads}): what arrives during a commit goes into the next one, so the
 * batches grow with the load, and fewer, larger batches cost less per notice than several committers' smaller ones.
 * More committers help where each round trip to the database is long.
 *
 * <p>A batch that fails for any reason but an unreachable store is split up: each notice is tried again in a
 * transaction of its own, so one bad notice cannot fail the others, and a checkout another instance opened in the
 * meantime (one pending checkout per source and ref, on PostgreSQL) is found and refreshed instead.
 */
@Component
public class NoticeCommitter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NoticeCommitter.class);
    /** Stops after the web server (it stops at Integer.MAX_VALUE - 2048): no request is left waiting. */
    private static final int PHASE = Integer.MAX_VALUE - 4096;
    /** How often a lone notice is tried while its checkout's insert conflicts with another instance's. */
    private static final int CONFLICT_TRIES = 3;

    private final NoticeStore notices;
    private final Lifecycle lifecycle;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Traces traces;
    private final CartRelayProperties.Intake config;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean running;

    public NoticeCommitter(
            NoticeStore notices,
            Lifecycle lifecycle,
            TransactionTemplate tx,
            Clock clock,
            Traces traces,
            CartRelayProperties properties) {
        this.notices = notices;
        this.lifecycle = lifecycle;
        this.tx = tx;
        this.clock = clock;
        this.traces = traces;
        this.config = properties.intake();
        this.queue = new ArrayBlockingQueue<>(Math.max(config.batchSize(), config.queueCapacity()));
    }

    /** Queues the notice and waits for the commit that keeps it (or the failure that did not). */
    Receipt commit(Notice notice) {
        Pending pending = new Pending(
                prepare(notice, Ids.next("ntc"), clock.instant(), traces.traceParent(traces.current())),
                new CompletableFuture<>());
        try {
            if (!running || !queue.offer(pending, config.commitTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CannotCreateTransactionException("The intake queue is full; nothing was kept");
            }
            return pending.result().get(config.commitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotCreateTransactionException("Interrupted while waiting for the commit", e);
        } catch (java.util.concurrent.TimeoutException e) {
            // it may still be committed; the sender's retry then gets the same notice id back
            throw new CannotCreateTransactionException("No commit within " + config.commitTimeout(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The notice's row and its change to the lifecycle, made by the thread that received it: the id it will be kept
     * under, when it arrived, and the trace context its checkout is to continue.
     */
    public static Prepared prepare(Notice notice, String id, Instant receivedAt, String traceParent) {
        NoticeStore.Row row = row(notice, id, receivedAt);
        Lifecycle.Inbound inbound = notice.outcome() == Notice.Outcome.PROCESSED
                ? new Lifecycle.Inbound(notice.source(), notice.event(), row.receivedAt(), row.canonical(), traceParent)
                : null;
        return new Prepared(notice, row, inbound);
    }

    /**
     * Stores the notices on the calling thread, in one transaction when it can (a batch that fails is split up, as
     * the committer's are), and returns each notice's receipt or the failure that kept it out, in their order.
     */
    public List<Stored> storeNow(List<Prepared> prepared) {
        List<Pending> batch = new ArrayList<>(prepared.size());
        for (Prepared each : prepared) {
            batch.add(new Pending(each, new CompletableFuture<>()));
        }
        store(batch);
        List<Stored> stored = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            CompletableFuture<Receipt> result = pending.result();
            stored.add(
                    result.isCompletedExceptionally()
                            ? new Stored(null, result.handle((r, e) -> e).join())
                            : new Stored(result.join(), null));
        }
        return stored;
    }

    /** A notice's receipt, or the failure that kept it out of the store. */
    public record Stored(Receipt receipt, Throwable failure) {}

    private void run() {
        List<Pending> batch = new ArrayList<>(config.batchSize());
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, config.batchSize() - 1);
                store(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // store() completes every future itself; this is a bug guard, so no request waits forever
                batch.forEach(p -> p.result().completeExceptionally(e));
                log.error("Intake batch failed unexpectedly", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void store(List<Pending> batch) {
        List<Receipt> receipts;
        long started = System.nanoTime();
        long[] written = new long[1];
        try {
            receipts = tx.execute(status -> {
                List<Receipt> kept = insertAll(batch);
                written[0] = System.nanoTime();
                return kept;
            });
            if (log.isDebugEnabled()) {
                long committed = System.nanoTime();
                log.debug(
                        "Committed {} notices in {} µs ({} µs of it the commit)",
                        batch.size(),
                        (committed - started) / 1000,
                        (committed - written[0]) / 1000);
            }
        } catch (RuntimeException e) {
            if (StoreUnreachable.is(e)) {
                batch.forEach(p -> p.result().completeExceptionally(e));
                return;
            }
            // a lone notice is tried once more too: another instance may have opened its checkout meanwhile, which
            // the new transaction then finds and refreshes
            if (batch.size() > 1) {
                log.warn(
                        "An intake batch of {} failed ({}); storing its notices one by one",
                        batch.size(),
                        e.toString());
            }
            for (Pending pending : batch) {
                try {
                    pending.result().complete(storeAlone(pending));
                } catch (RuntimeException single) {
                    pending.result().completeExceptionally(single);
                }
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(receipts.get(i));
        }
    }

    /**
     * One notice in a transaction of its own. A checkout that another instance opened in the meantime (its insert
     * waited for that instance's commit, then failed) is visible to the next try, which refreshes it; after
     * {@link #CONFLICT_TRIES} such conflicts the sender is asked to retry (503), as for an unreachable store.
     */
    private Receipt storeAlone(Pending pending) {
        for (int tries = 1; ; tries++) {
            try {
                return tx.execute(status -> insertAll(List.of(pending)).get(0));
            } catch (DuplicateKeyException conflict) {
                if (tries == CONFLICT_TRIES) {
                    throw new ConcurrencyFailureException(
                            "Other instances kept opening this notice's checkout at the same time", conflict);
                }
            }
        }
    }

    /** The notice's row, made by the request's own thread before it queues. */
    private static NoticeStore.Row row(Notice notice, String id, Instant receivedAt) {
        CanonicalEvent event = notice.event();
        return new NoticeStore.Row(
                id,
                notice.source(),
                notice.sourceEventId(),
                receivedAt,
                event == null ? null : event.type(),
                event == null || event.email() == null ? null : event.email().toLowerCase(Locale.ROOT),
                notice.rawBody(),
                event == null ? null : EventJson.write(event),
                notice.outcome().name().toLowerCase(Locale.ROOT),
                notice.reason());
    }

    private List<Receipt> insertAll(List<Pending> batch) {
        List<NoticeStore.Row> rows = new ArrayList<>(batch.size());
        List<Lifecycle.Inbound> processed = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            rows.add(pending.row());
            if (pending.inbound() != null) {
                processed.add(pending.inbound());
            }
        }
        // what the lifecycle will look up for these notices goes with their insert: one round trip for both
        NoticeStore.Inserted inserted = notices.insertNew(rows, lifecycle.lookahead(processed));
        List<Receipt> receipts = new ArrayList<>(batch.size());
        List<Lifecycle.Inbound> changes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            Notice notice = pending.notice();
            if (!inserted.kept(pending.row())) {
                String first = notices.findId(notice.source(), notice.sourceEventId())
                        .orElseThrow(() -> new IllegalStateException(
                                "A repeated notice vanished: " + notice.source() + " " + notice.sourceEventId()));
                receipts.add(new Receipt(first, true));
                continue;
            }
            if (pending.inbound() != null) {
                changes.add(pending.inbound());
            }
            receipts.add(new Receipt(pending.row().id(), false));
        }
        lifecycle.applyAll(changes, inserted.checkouts());
        return receipts;
    }

    @Override
    public synchronized void start() {
        running = true;
        for (int i = 0; i < config.commitThreads(); i++) {
            Thread thread = new Thread(this::run, "intake-commit-" + (i + 1));
            thread.setDaemon(true);
            thread.start();
            committers.add(thread);
        }
    }

    /** Takes no more notices and commits what has queued up before returning. */
    @Override
    public synchronized void stop() {
        running = false;
        for (Thread thread : committers) {
            try {
                thread.join(config.commitTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        committers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** A notice ready for the store: its row, and its change to the lifecycle when it makes one. */
    public record Prepared(Notice notice, NoticeStore.Row row, Lifecycle.Inbound inbound) {}

    /** A notice waiting for its commit. */
    private record Pending(Prepared prepared, CompletableFuture<Receipt> result) {

        Notice notice() {
            return prepared.notice();
        }

        NoticeStore.Row row() {
            return prepared.row();
        }

        Lifecycle.Inbound inbound() {
            return prepared.inbound();
        }
    }
}
