package org.cartrelay.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.ConfigurationProblem;
import org.cartrelay.delivery.DeliveryEngine;
import org.cartrelay.store.InstanceStore;
import org.cartrelay.support.FailureStreak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registers this instance in {@code hub_instance} at start, writes its heartbeat every
 * {@code cartrelay.cluster.heartbeat} and marks it stopped at a graceful stop (after the delivery engine gave its
 * leases back). With each heartbeat it looks for other instances whose heartbeat is older than
 * {@code cartrelay.cluster.lapse-after}: the first to see one marks it gone and releases the deliveries it held leased,
 * which then go out at once instead of when each lease runs out. The list of instances that JMX, health and
 * {@code /api/instances} show is read with each heartbeat. A store it cannot reach is logged once; it carries on.
 */
@Component
public class InstanceRegistry implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InstanceRegistry.class);
    /** Starts before the web server and the delivery engine, and stops after them. */
    private static final int PHASE = Integer.MAX_VALUE - 4096;
    /** Stopped and gone instances are listed this long. */
    static final Duration KEPT = Duration.ofDays(1);

    private final HubInstance instance;
    private final InstanceStore store;
    private final DeliveryEngine engine;
    private final TransactionTemplate transaction;
    private final Duration heartbeat;
    private final Duration lapseAfter;
    private final FailureStreak failures = new FailureStreak(
            log, "This instance cannot write its heartbeat", "This instance writes its heartbeat again");
    private final Object signal = new Object();
    private volatile boolean running;
    private volatile List<InstanceStore.Row> instances = List.of();
    private Thread thread;

    public InstanceRegistry(
            HubInstance instance,
            InstanceStore store,
            DeliveryEngine engine,
            PlatformTransactionManager transactions,
            CartRelayProperties properties) {
        this.instance = instance;
        this.store = store;
        this.engine = engine;
        this.transaction = new TransactionTemplate(transactions);
        this.heartbeat = properties.cluster().heartbeat();
        this.lapseAfter = properties.cluster().lapseAfter();
        if (lapseAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
            // a heartbeat a little late would count as lapsed, and the instances release each other's leases
            throw new ConfigurationProblem(
                    "cartrelay.cluster.lapse-after (" + lapseAfter
                            + ") is shorter than twice cartrelay.cluster.heartbeat (" + heartbeat + ").",
                    "Set cartrelay.cluster.lapse-after to several heartbeats (default: 10s with a 2s heartbeat).");
        }
    }

    @Override
    public synchronized void start() {
        store.register(instance.id(), instance.host(), instance.pid());
        log.info("Instance {} ({}, pid {}) registered", instance.id(), instance.host(), instance.pid());
        refresh();
        running = true;
        thread = new Thread(this::beat, "hub-heartbeat");
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
        try {
            store.stopped(instance.id());
        } catch (RuntimeException e) {
            log.warn(
                    "Instance {} could not be marked stopped ({}); the others take it for gone",
                    instance.id(),
                    e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The instances known, as read at the last heartbeat: running ones first. */
    public List<InstanceStore.Row> instances() {
        return instances;
    }

    public HubInstance self() {
        return instance;
    }

    /** One instance as JMX, health and the API show it: {@code state} is running, stopped or gone. */
    public Map<String, Object> view(InstanceStore.Row row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.id());
        view.put("self", row.id().equals(instance.id()));
        view.put("state", state(row));
        view.put("host", row.host());
        view.put("pid", row.pid());
        view.put("startedAt", row.startedAt());
        view.put("heartbeatAt", row.heartbeatAt());
        view.put("stoppedAt", row.stoppedAt());
        return view;
    }

    /** {@code running}, or how it stopped: {@code stopped} (gracefully) or {@code gone} (its heartbeat lapsed). */
    public static String state(InstanceStore.Row row) {
        return row.stoppedHow() == null ? "running" : row.stoppedHow();
    }

    /** Every instance known, as {@link #view} shows it. */
    public List<Map<String, Object>> views() {
        return instances.stream().map(this::view).toList();
    }

    private void beat() {
        while (running) {
            try {
                if (!store.beat(instance.id())) {
                    log.warn(
                            "Instance {} was taken for gone by another instance, which released its leases; it "
                                    + "registers again (deliveries it had under way may be sent twice)",
                            instance.id());
                    store.register(instance.id(), instance.host(), instance.pid());
                }
                releaseLapsed();
                refresh();
                failures.succeeded();
            } catch (RuntimeException e) {
                failures.failed(e);
            }
            synchronized (signal) {
                if (running) {
                    try {
                        signal.wait(Math.max(1, heartbeat.toMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** Marks instances whose heartbeat lapsed gone and releases their leases, each by the one instance that marks it. */
    private void releaseLapsed() {
        Instant now = store.now();
        Instant lapsedBefore = now.minus(lapseAfter);
        boolean released = false;
        for (InstanceStore.Row lapsed : store.lapsed(lapsedBefore, instance.id())) {
            Integer leases = transaction.execute(status -> store.markGone(lapsed.id(), lapsedBefore)
                    ? store.releaseLeases(HubInstance.leaseTokenPrefix(lapsed.id()) + "_")
                    : null);
            if (leases != null) {
                log.warn(
                        "Instance {} ({}, pid {}) wrote its last heartbeat {} s ago: taken for gone, {} deliveries it "
                                + "held released",
                        lapsed.id(),
                        lapsed.host(),
                        lapsed.pid(),
                        Duration.between(lapsed.heartbeatAt(), now).toSeconds(),
                        leases);
                released |= leases > 0;
            }
        }
        if (released) {
            engine.rescan(); // their old due times lie before where the lanes look now
        }
        store.forget(now.minus(KEPT));
    }

    private void refresh() {
        instances = store.all();
    }
}
