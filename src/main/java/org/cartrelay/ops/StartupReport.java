package org.cartrelay.ops;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.intake.IntakeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says once, when the hub is ready, which sources take notices and which connectors deliver: source names (and the
 * setting a disabled one waits for), connector names and types. Never a secret or an address.
 */
@Component
class StartupReport {

    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    private final List<IntakeSource> sources;
    private final ConnectorRegistry connectors;

    StartupReport(List<IntakeSource> sources, ConnectorRegistry connectors) {
        this.sources = sources.stream()
                .sorted(Comparator.comparing(IntakeSource::name))
                .toList();
        this.connectors = connectors;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        log.info("{}", line());
    }

    String line() {
        String enabled = sources.stream()
                .filter(IntakeSource::enabled)
                .map(IntakeSource::name)
                .collect(Collectors.joining(", "));
        String disabled = sources.stream()
                .filter(source -> !source.enabled())
                .map(source -> source.name() + " (" + source.secretProperty() + ")")
                .collect(Collectors.joining(", "));
        String loaded = connectors.all().stream()
                .map(Connector::definition)
                .map(StartupReport::connector)
                .collect(Collectors.joining(", "));
        return "Sources enabled: " + (enabled.isEmpty() ? "none" : enabled)
                + (disabled.isEmpty() ? "" : "; disabled until their secret is set: " + disabled)
                + ". Connectors: " + (loaded.isEmpty() ? "none" : loaded) + ".";
    }

    private static String connector(ConnectorDefinition definition) {
        return definition.name() + " (" + definition.type() + (definition.enabled() ? "" : ", disabled") + ")";
    }
}
