package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.store.ConnectorStateStore;
import org.cartrelay.support.FailureStreak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Applies the pauses, resumes and disables other instances stored, and the waits their targets asked for: it reads
 * every connector's stored state each
 * {@code cartrelay.cluster.state-poll-interval}, and on PostgreSQL also as soon as a change is announced (LISTEN on
 * a connection of the pool, held while the hub runs). A store it cannot reach is logged once and read again, the
 * listening connection opened again, until they work.
 */
@Component
class ConnectorStateWatch implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConnectorStateWatch.class);

    /** The longest a wait for a notification lasts before the watch checks whether it should stop. */
    private static final Duration LISTEN_SLICE = Duration.ofMillis(250);

    private final ConnectorRuntimes runtimes;
    private final ConnectorStateStore store;
    private final Clock clock;
    private final Duration interval;
    private final FailureStreak readFailures = new FailureStreak(
            log, "The connectors' shared state cannot be read", "The connectors' shared state is read again");
    private final FailureStreak listenFailures = new FailureStreak(
            log,
            "Cannot listen for connector state changes (read every poll meanwhile)",
            "Listening for connector state changes again");
    private final Object signal = new Object();
    private volatile boolean running;
    private Thread thread;
    private ConnectorStateStore.Listener listener;

    ConnectorStateWatch(
            ConnectorRuntimes runtimes, ConnectorStateStore store, CartRelayProperties properties, Clock clock) {
        this.runtimes = runtimes;
        this.clock = clock;
        this.store = store;
        this.interval = properties.cluster().statePollInterval();
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::watch, "connector-state");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        synchronized (signal) {
            signal.notifyAll();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void watch() {
        try {
            while (running) {
                read();
                awaitChange();
            }
        } finally {
            if (listener != null) {
                listener.close();
                listener = null;
            }
        }
    }

    private void read() {
        long changesBefore = runtimes.localChanges();
        try {
            runtimes.apply(store.all(), changesBefore);
            runtimes.applyWaits(store.waits(clock.instant()));
            readFailures.succeeded();
        } catch (RuntimeException e) {
            readFailures.failed(e);
        }
    }

    /** Until a change is announced, the interval has passed or the watch stops. */
    private void awaitChange() {
        if (store.announces()) {
            try {
                if (listener == null) {
                    listener = store.listen();
                }
                long deadline = System.nanoTime() + interval.toNanos();
                long left;
                // in short waits, so that a stop need not wait out a long interval
                while (running && (left = deadline - System.nanoTime()) > 0) {
                    if (listener.await((int) Math.min(LISTEN_SLICE.toMillis(), Math.max(1, left / 1_000_000)))) {
                        break;
                    }
                }
                listenFailures.succeeded();
                return;
            } catch (Exception e) {
                listenFailures.failed(e);
                if (listener != null) {
                    listener.close();
                    listener = null;
                }
            }
        }
        synchronized (signal) {
            if (running) {
                try {
                    signal.wait(Math.max(1, interval.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }
}
