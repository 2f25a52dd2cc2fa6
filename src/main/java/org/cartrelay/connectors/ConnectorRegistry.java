package org.cartrelay.connectors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.cartrelay.config.CartRelayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The connectors of this hub, loaded once at start-up from {@code <home>/connectors/*.yaml}, plus the bundled demo
 * connector when {@code cartrelay.demo.enabled=true}.
 */
@Component
public class ConnectorRegistry {

    private static final Logger log = LoggerFactory.getLogger(ConnectorRegistry.class);
    static final String DEMO = "demo/demo-echo.yaml";

    private final Map<String, Connector> connectors = new LinkedHashMap<>();

    public ConnectorRegistry(Environment environment, List<ConnectorType<?>> types, CartRelayProperties properties) {
        Map<String, ConnectorType<?>> byName =
                types.stream().collect(Collectors.toMap(ConnectorType::name, Function.identity()));
        byName.keySet().stream()
                .filter(name -> !ConnectorSchema.fragments().containsKey(name))
                .findFirst()
                .ifPresent(name -> {
                    throw new IllegalStateException("Connector type '" + name + "' has no schema at "
                            + "schemas/connectors/" + name + ".schema.json");
                });
        Path folder = properties.homeDir().resolve("connectors");
        List<ConnectorDefinition> definitions =
                new ConnectorLoader(environment).load(folder, properties.demo().enabled());
        // every connector is built before any problem is reported, so one start names them all
        List<String> problems = new ArrayList<>();
        for (ConnectorDefinition definition : definitions) {
            ConnectorType<?> type = byName.get(definition.type());
            if (type == null) {
                problems.add("Connector file " + definition.file() + ": key 'type' is '" + definition.type()
                        + "', which this hub does not provide; expected one of " + byName.keySet() + ".");
                continue;
            }
            try {
                connectors.put(definition.name(), type.create(definition));
            } catch (ConnectorConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConnectorConfigException(problems);
        }
        if (connectors.isEmpty()) {
            log.warn("No connectors in {}: abandoned checkouts will be recorded but sent nowhere", folder);
        }
    }

    public Collection<Connector> all() {
        return connectors.values();
    }

    public List<Connector> enabled() {
        return connectors.values().stream()
                .filter(c -> c.definition().enabled())
                .toList();
    }

    public Optional<Connector> get(String name) {
        return Optional.ofNullable(connectors.get(name));
    }
}
