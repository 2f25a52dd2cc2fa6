package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.util.CustomizableThreadCreator;

/**
 * Claims due deliveries per connector, never more than that connector has free workers for, and hands them to the
 * connector's own pool: one slow connector fills only its own pool.
 */
@Component
public class DeliveryDispatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

    private final ConnectorRegistry connectors;
    private final OutboxStore outbox;
    private final DeliveryWorker worker;
    private final CartRelayProperties properties;
    private final Clock clock;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    public DeliveryDispatcher(ConnectorRegistry connectors, OutboxStore outbox, DeliveryWorker worker,
            CartRelayProperties properties, Clock clock) {
        this.connectors = connectors;
        this.outbox = outbox;
        this.worker = worker;
        this.properties = properties;
        this.clock = clock;
    }

    private record Lane(ExecutorService pool, Semaphore free) {
    }

    /** @return how many deliveries were handed to workers */
    public int dispatch() {
        int handed = 0;
        for (Connector connector : connectors.enabled()) {
            Lane lane = lanes.computeIfAbsent(connector.name(), name -> newLane(name));
            int free = lane.free().availablePermits();
            if (free == 0) {
                continue;
            }
            Instant now = clock.instant();
            Instant leaseUntil = now.plus(connector.definition().timeout()).plus(properties.delivery().leaseMargin());
            String token = Ids.next("lse");
            List<Claimed> claimed = outbox.claim(connector.name(), free, now, leaseUntil, token);
            for (Claimed delivery : claimed) {
                lane.free().acquireUninterruptibly();
                lane.pool().execute(() -> {
                    try {
                        worker.deliver(connector, delivery, token);
                    } catch (RuntimeException e) {
                        // the lease runs out and the delivery is claimed again; nothing is lost
                        log.error("Delivery {} to '{}' failed unexpectedly: {}", delivery.id(), connector.name(),
                                e.toString());
                    } finally {
                        lane.free().release();
                    }
                });
                handed++;
            }
        }
        return handed;
    }

    private Lane newLane(String connector) {
        int size = properties.delivery().concurrency();
        CustomizableThreadCreator names = new CustomizableThreadCreator("deliver-" + connector + "-");
        return new Lane(Executors.newFixedThreadPool(size, names::createThread), new Semaphore(size));
    }

    @Override
    public void destroy() throws InterruptedException {
        for (Lane lane : lanes.values()) {
            lane.pool().shutdown();
        }
        for (Lane lane : lanes.values()) {
            lane.pool().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
