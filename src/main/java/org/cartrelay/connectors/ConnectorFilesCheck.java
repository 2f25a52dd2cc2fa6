package org.cartrelay.connectors;

import java.nio.file.Path;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Reads every connector file as soon as the configuration is known, before the web server, the database pool or any
 * bean starts: a bad file stops the start with every problem of every file ({@link ConnectorConfigFailureAnalyzer}
 * prints them) and nothing else. {@link ConnectorRegistry} reads the same files again to build the connectors.
 */
public class ConnectorFilesCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        String home = environment.getProperty("cartrelay.home-dir");
        if (home == null) {
            return;
        }
        new ConnectorLoader(environment).load(Path.of(home).resolve("connectors"), demo(environment));
    }

    /** Whether the demo connector is added; a value that is no boolean is reported when the settings are bound. */
    private static boolean demo(ConfigurableEnvironment environment) {
        try {
            return environment.getProperty("cartrelay.demo.enabled", Boolean.class, false);
        } catch (ConversionException e) {
            return false;
        }
    }

    @Override
    public int getOrder() {
        // after logging is set up, so the failure report goes through the hub's own log configuration
        return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }
}
