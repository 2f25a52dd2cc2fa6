package org.cartrelay.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ExecutorServiceManager;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.delivery.Fanout;
import org.cartrelay.event.EventJson;
import org.cartrelay.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import jakarta.annotation.PreDestroy;

/**
 * Publishes {@link OperationalEvent}s through the outbox, so they are durable, retried and dead-lettered like any
 * other event. They are written on a thread of their own (Camel's), after the change they tell of and in a transaction of
 * their own: the delivery path never waits for them, and a failure is logged, never thrown. Nothing is written when
 * no connector subscribes to the type.
 */
@Component
public class OperationalEvents {

    private static final Logger log = LoggerFactory.getLogger(OperationalEvents.class);

    private final Fanout fanout;
    private final ConnectorRegistry connectors;
    private final Clock clock;
    private final TransactionTemplate transaction;
    private final HubStatus status;
    private final Duration backlogAlertAge;
    /** The connectors whose backlog is over the age now: each crossing is told once. */
    private final Set<String> tooOld = ConcurrentHashMap.newKeySet();

    /** One thread from Camel's {@code ExecutorServiceManager}, so JMX lists it with the hub's other pools. */
    private final ExecutorServiceManager executors;

    private final ExecutorService writer;

    public OperationalEvents(
            CamelContext camel,
            Fanout fanout,
            ConnectorRegistry connectors,
            Clock clock,
            PlatformTransactionManager transactions,
            HubStatus status,
            CartRelayProperties properties) {
        this.fanout = fanout;
        this.status = status;
        this.backlogAlertAge = properties.backlogAlertAge();
        this.transaction = new TransactionTemplate(transactions);
        this.connectors = connectors;
        this.clock = clock;
        this.executors = camel.getExecutorServiceManager();
        this.writer = executors.newSingleThreadExecutor(this, "operational-events");
    }

    /** The payload connectors receive: id, type, createdAt, connector, reason and the details. */
    static String payload(String id, OperationalEvent event, Instant at) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("type", event.type());
        body.put("createdAt", at.toString());
        body.put("connector", event.connector());
        body.put("reason", event.reason());
        if (!event.details().isEmpty()) {
            body.put("details", new TreeMap<>(event.details()));
        }
        return EventJson.write(body);
    }

    @EventListener
    public void on(OperationalEvent event) {
        boolean subscribed = connectors.enabled().stream()
                .anyMatch(c -> c.definition().events().contains(event.type())
                        && !c.name().equals(event.connector()));
        if (!subscribed) {
            return;
        }
        try {
            writer.execute(() -> publish(event));
        } catch (RejectedExecutionException stopping) {
            log.warn(
                    "Operational event {} about '{}' not published: the hub is stopping",
                    event.type(),
                    event.connector());
        }
    }

    private void publish(OperationalEvent event) {
        try {
            Instant now = clock.instant();
            String id = Ids.next("evt");
            String payload = payload(id, event, now);
            Integer deliveries = transaction.execute(
                    status -> fanout.publishHubEvent(id, event.type(), event.connector(), payload, now));
            log.info(
                    "Operational event {} {} about '{}': {} deliveries",
                    id,
                    event.type(),
                    event.connector(),
                    deliveries);
        } catch (RuntimeException e) {
            log.warn(
                    "Operational event {} about '{}' could not be published: {}",
                    event.type(),
                    event.connector(),
                    e.toString());
        }
    }

    /**
     * Every 5 seconds: a connector whose oldest waiting delivery passed {@code cartrelay.backlog-alert-age} raises
     * {@code hub.backlog.too-old} once, and again only after its backlog was younger in between.
     */
    @Scheduled(fixedDelay = 5000, initialDelay = 5000)
    void checkBacklogs() {
        if (connectors.enabled().stream()
                .noneMatch(c -> c.definition().events().contains(OperationalEvent.BACKLOG_TOO_OLD))) {
            return; // nobody asked: no queries
        }
        try {
            for (Connector connector : connectors.enabled()) {
                double age = status.oldestPendingAgeSeconds(connector.name());
                if (age * 1000 < backlogAlertAge.toMillis()) {
                    tooOld.remove(connector.name());
                } else if (tooOld.add(connector.name())) {
                    on(new OperationalEvent(
                            OperationalEvent.BACKLOG_TOO_OLD,
                            connector.name(),
                            "The oldest waiting delivery is " + Math.round(age) + " s old, more than "
                                    + backlogAlertAge.toSeconds() + " s.",
                            Map.of(
                                    "oldestPendingAgeSeconds", Long.toString(Math.round(age)),
                                    "pending",
                                            Long.toString(status.backlog(connector.name())
                                                    .pending()))));
                }
            }
        } catch (RuntimeException e) {
            log.warn("The backlogs could not be checked for operational events: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        executors.shutdown(writer); // Camel forgets the pool and its MBean
    }
}
