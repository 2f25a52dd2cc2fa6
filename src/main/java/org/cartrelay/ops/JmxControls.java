package org.cartrelay.ops;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

import org.cartrelay.cluster.InstanceRegistry;
import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.store.CheckoutStatus;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Registers {@code cartrelay:type=Hub} and one {@code cartrelay:type=Connector,name=…} per connector in the
 * platform MBean server, beside Camel's own route MBeans.
 */
@Component
public class JmxControls implements InitializingBean, DisposableBean {

    private final ConnectorRuntimes runtimes;
    private final ConnectorOperations operations;
    private final HubStatus status;
    private final HubMetrics metrics;
    private final Clock clock;
    private final InstanceRegistry instances;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new ArrayList<>();

    public JmxControls(
            ConnectorRuntimes runtimes,
            ConnectorOperations operations,
            HubStatus status,
            HubMetrics metrics,
            Clock clock,
            InstanceRegistry instances) {
        this.runtimes = runtimes;
        this.operations = operations;
        this.status = status;
        this.metrics = metrics;
        this.clock = clock;
        this.instances = instances;
    }

    @Override
    public void afterPropertiesSet() throws Exception {
        register(new ObjectName("cartrelay:type=Hub"), new StandardMBean(new Hub(), HubControlMBean.class));
        for (ConnectorRuntime runtime : runtimes.all()) {
            // connector names are lower-case letters, digits and dashes (schema), safe in an ObjectName
            register(
                    new ObjectName("cartrelay:type=Connector,name=" + runtime.name()),
                    new StandardMBean(new ConnectorControl(runtime), ConnectorControlMBean.class));
        }
    }

    private void register(ObjectName name, Object bean) throws Exception {
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(bean, name);
        registered.add(name);
    }

    @Override
    public void destroy() throws Exception {
        for (ObjectName name : registered) {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        }
    }

    private final class Hub implements HubControlMBean {
        @Override
        public long getAcceptedSinceStart() {
            return (long) metrics.notices("accepted");
        }

        @Override
        public long getRejectedSinceStart() {
            return (long) (metrics.notices("rejected") + metrics.notices("refused"));
        }

        @Override
        public long getDuplicatesSinceStart() {
            return (long) metrics.notices("duplicate");
        }

        @Override
        public long getPendingCheckoutsStored() {
            return status.checkouts(CheckoutStatus.PENDING);
        }

        @Override
        public long getAbandonedStored() {
            return status.everAbandoned();
        }

        @Override
        public long getRecoveredStored() {
            return status.checkouts(CheckoutStatus.RECOVERED);
        }

        @Override
        public String getInstanceId() {
            return instances.self().id();
        }

        @Override
        public String[] getInstances() {
            return instances.instances().stream()
                    .map(row -> String.join(
                            " ",
                            row.id(),
                            InstanceRegistry.state(row),
                            row.host(),
                            String.valueOf(row.pid()),
                            String.valueOf(row.heartbeatAt())))
                    .toArray(String[]::new);
        }
    }

    private final class ConnectorControl implements ConnectorControlMBean {
        private final ConnectorRuntime runtime;

        ConnectorControl(ConnectorRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public long getDeliveredSinceStart() {
            return runtime.delivered();
        }

        @Override
        public long getFailedSinceStart() {
            return runtime.failed();
        }

        @Override
        public long getPendingStored() {
            return operations.backlog(runtime.name()).pending();
        }

        @Override
        public long getDeadLettersStored() {
            return operations.backlog(runtime.name()).dead();
        }

        @Override
        public String getLastError() {
            return runtime.lastError() == null ? null : runtime.lastError().toString();
        }

        @Override
        public String getLastSuccess() {
            return runtime.lastSuccess() == null ? null : runtime.lastSuccess().toString();
        }

        @Override
        public String getCircuitState() {
            return runtime.circuitState().name();
        }

        @Override
        public int getConcurrency() {
            return runtime.concurrency();
        }

        @Override
        public String getRateLimit() {
            return runtime.rateLimit();
        }

        @Override
        public String getWaitingUntil() {
            Instant until = runtime.waitingUntil(clock.instant());
            return until == null ? null : until.toString();
        }

        @Override
        public long getThrottledSinceStart() {
            return runtime.throttled();
        }

        @Override
        public boolean isPaused() {
            return runtime.paused();
        }

        @Override
        public String getDisabledReason() {
            return runtime.disabledReason();
        }

        @Override
        public void pause() {
            operations.pause(runtime.name());
        }

        @Override
        public void resume() {
            operations.resume(runtime.name());
        }

        @Override
        public int replayDeadLetters() {
            return operations.replayDeadLetters(runtime.name()).size();
        }
    }
}
