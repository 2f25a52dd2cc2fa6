package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.cartrelay.cluster.HubInstance;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.store.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs one {@link DeliveryLane} per connector. The lanes start once Camel has started its routes (they carry the
 * deliveries; Camel starts on Spring's context-refreshed event, after every lifecycle bean) and stop before it: on
 * shutdown the lanes stop leasing, in-flight deliveries get the grace period to finish, finished attempts are
 * written, and what is still unfinished goes back to pending for the next start.
 */
@Component
public class DeliveryEngine implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);
    /** A late phase stops the engine early, before the web server and Camel. */
    private static final int PHASE = Integer.MAX_VALUE - 1024;

    private final ConnectorRuntimes runtimes;
    private final OutboxStore outbox;
    private final DeliveryWorker worker;
    private final AttemptRecorder recorder;
    private final CartRelayProperties properties;
    private final Clock clock;
    private final HubInstance instance;
    /** Looked up when starting: a constructor dependency would make Spring start Camel before it collects routes. */
    private final BeanFactory beans;

    private final Map<String, DeliveryLane> lanes = new LinkedHashMap<>();
    private CamelContext camel;
    private volatile boolean running;

    public DeliveryEngine(
            ConnectorRuntimes runtimes,
            OutboxStore outbox,
            DeliveryWorker worker,
            AttemptRecorder recorder,
            CartRelayProperties properties,
            Clock clock,
            HubInstance instance,
            BeanFactory beans) {
        this.runtimes = runtimes;
        this.outbox = outbox;
        this.worker = worker;
        this.recorder = recorder;
        this.properties = properties;
        this.clock = clock;
        this.instance = instance;
        this.beans = beans;
    }

    @Override
    public synchronized void start() {
        running = true;
        try {
            if (camel == null) {
                camel = beans.getBean(CamelContext.class);
                camel.getExecutorServiceManager().addThreadFactoryListener(DeliveryLane.THREADS);
            }
            // runs at once when Camel is already up
            camel.addStartupListener((context, alreadyStarted) -> startLanes());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the delivery lanes: " + e.getMessage(), e);
        }
    }

    private synchronized void startLanes() {
        if (!running || !lanes.isEmpty()) {
            return;
        }
        CartRelayProperties.Delivery config = properties.delivery();
        recorder.start();
        for (ConnectorRuntime runtime : runtimes.all()) {
            if (!runtime.connector().definition().enabled()) {
                continue;
            }
            DeliveryLane lane = new DeliveryLane(
                    runtime,
                    outbox,
                    worker,
                    recorder,
                    camel.getExecutorServiceManager(),
                    clock,
                    config.pollInterval(),
                    config.leaseMargin(),
                    instance.leaseTokenPrefix(),
                    config.concurrency(),
                    config.prefetch());
            lanes.put(runtime.name(), lane);
            lane.start();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        Duration grace = properties.delivery().shutdownGrace();
        try {
            for (DeliveryLane lane : lanes.values()) {
                lane.stop(grace);
            }
            recorder.stop(grace);
            Map<String, String> unfinished = new HashMap<>();
            for (DeliveryLane lane : lanes.values()) {
                unfinished.putAll(lane.unfinishedLeases());
            }
            if (!unfinished.isEmpty()) {
                log.info("{} unfinished deliveries returned to pending", outbox.release(unfinished));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lanes.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * New deliveries, due from {@code due} on, were committed for these connectors: let their lanes look now rather
     * than at the next poll.
     */
    public void wake(Collection<String> connectors, Instant due) {
        for (String name : connectors) {
            DeliveryLane lane = lanes.get(name);
            if (lane != null) {
                lane.wake(due);
            }
        }
    }

    /**
     * Room in a connector's lane for new deliveries due now, which the caller writes leased with the reservation's
     * token and hands over once committed ({@link #handOver}), or gives back ({@link #cancel}).
     *
     * @return the room, for up to {@code wanted} deliveries, or {@code null} (the lane is busy, paused, or not running)
     */
    public DeliveryLane.Reservation reserve(String connector, int wanted, Instant now) {
        DeliveryLane lane = lanes.get(connector);
        return lane == null ? null : lane.reserve(wanted, now);
    }

    public void handOver(DeliveryLane.Reservation reservation, List<OutboxStore.Claimed> deliveries) {
        reservation.lane().handOver(reservation, deliveries);
    }

    public void cancel(DeliveryLane.Reservation reservation) {
        reservation.lane().cancel(reservation);
    }

    /** Another instance's leases were released: every lane looks for due deliveries from the earliest. */
    public synchronized void rescan() {
        lanes.values().forEach(DeliveryLane::rescan);
    }

    public void wakeAll() {
        lanes.values().forEach(DeliveryLane::wake);
    }
}
