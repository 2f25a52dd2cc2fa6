package org.cartrelay.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Resolves the hub's home folder (the one holding {@code config/}, {@code connectors/} and {@code routes/}):
 * {@code --cartrelay.home}, {@code CARTRELAY_HOME}, else the working directory. Spring Boot already reads
 * {@code ./config/application.yml} from the working directory; when the home is elsewhere its
 * {@code config/application.yml} is added here, above every other config file (the working directory's too) and
 * below command line and environment. Camel loads {@code <home>/routes/*.yaml} unless
 * {@code camel.main.routes-include-pattern} says otherwise. With the demo on and no {@code cartrelay.demo.secret},
 * the demo connector and receiver share one made for the run.
 */
public class CartRelayHome implements EnvironmentPostProcessor, Ordered {

    public static final String PROPERTY = "cartrelay.home";
    private static final String ROUTES_PATTERN = "camel.main.routes-include-pattern";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Path home =
                Path.of(environment.getProperty(PROPERTY, ".")).toAbsolutePath().normalize();
        Path workingDir = Path.of("").toAbsolutePath().normalize();
        Path config = home.resolve("config").resolve("application.yml");
        if (!home.equals(workingDir) && Files.isRegularFile(config)) {
            try {
                List<PropertySource<?>> sources = new YamlPropertySourceLoader()
                        .load("CartRelay home config '" + config + "'", new FileSystemResource(config));
                String anchor = firstConfigFile(environment);
                for (PropertySource<?> source : sources) {
                    if (anchor != null) {
                        environment.getPropertySources().addBefore(anchor, source);
                    } else {
                        environment.getPropertySources().addLast(source);
                    }
                }
            } catch (IOException e) {
                throw new ConfigurationProblem(
                        "The home folder's settings " + config + " cannot be read: " + e.getMessage(),
                        "Correct the file (it is YAML, like config/application.yml) or let the hub's user read it.",
                        e);
            }
        }
        Map<String, Object> derived = new HashMap<>();
        derived.put("cartrelay.home-dir", home.toString());
        // integrators' Camel YAML routes; a home without a routes folder simply has none
        if (Files.isDirectory(home.resolve("routes")) && !environment.containsProperty(ROUTES_PATTERN)) {
            derived.put(ROUTES_PATTERN, "file:" + home.resolve("routes") + "/*.yaml");
        }
        // the demo connector signs with the secret the demo receiver checks: unset, one made for this run does
        if (environment.getProperty("cartrelay.demo.enabled", Boolean.class, false)
                && !environment.containsProperty("cartrelay.demo.secret")) {
            derived.put("cartrelay.demo.secret", oneRunSecret());
        }
        environment.getPropertySources().addLast(new MapPropertySource("cartrelayHomeResolved", derived));
    }

    /** A Standard Webhooks secret that lives only in this process. */
    private static String oneRunSecret() {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    private static String firstConfigFile(ConfigurableEnvironment environment) {
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source.getName().startsWith("Config resource")) {
                return source.getName();
            }
        }
        return null;
    }

    @Override
    public int getOrder() {
        // after Spring Boot's ConfigDataEnvironmentPostProcessor, so the config files are already present
        return Ordered.LOWEST_PRECEDENCE;
    }
}
