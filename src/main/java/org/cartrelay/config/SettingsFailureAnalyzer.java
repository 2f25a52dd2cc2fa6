package org.cartrelay.config;

import java.time.Duration;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * A {@code cartrelay.*} setting that does not bind or is out of range, printed the way an operator fixes it: for
 * each, the property in the form it is written, the value as written, where it came from (file and line, command
 * line, environment variable) and what is allowed. Other settings are left to Spring Boot's own analyzers, which
 * this one goes before.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public class SettingsFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    private static final String DURATION = "must be a duration such as 10s, 500ms, 2m (units ns, us, ms, s, m, h, d)";
    private static final String NL = System.lineSeparator();

    private final Environment environment;

    public SettingsFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        if (!cause.getName().toString().startsWith("cartrelay")) {
            return null;
        }
        List<String> entries = new ArrayList<>();
        BindValidationException validation = findCause(cause, BindValidationException.class);
        if (validation != null) {
            ConfigurationPropertyName name = validation.getValidationErrors().getName();
            for (ObjectError error : validation.getValidationErrors().getAllErrors()) {
                if (!(error instanceof FieldError field)) {
                    entries.add(entry(name.toString(), null, error.getDefaultMessage()));
                    continue;
                }
                String property = name + "." + kebab(field.getField());
                entries.add(entry(property, written(property), field.getDefaultMessage()));
            }
        } else {
            ConfigurationProperty property = cause.getProperty();
            if (property == null) {
                return null;
            }
            entries.add(entry(property.getName().toString(), property, expected(cause)));
        }
        String description = (entries.size() == 1 ? "A setting is" : entries.size() + " settings are") + " not allowed:"
                + NL + String.join(NL, entries);
        return new FailureAnalysis(
                description,
                "Change the value where the origin says, or remove it to get the default; every cartrelay.* setting "
                        + "is listed in docs/configuration.md.",
                cause);
    }

    private static String entry(String property, ConfigurationProperty written, String reason) {
        StringBuilder entry = new StringBuilder(NL).append("    Property: ").append(property);
        if (written != null) {
            entry.append(NL).append("    Value: \"").append(written.getValue()).append('"');
            if (written.getOrigin() != null) {
                entry.append(NL).append("    Origin: ").append(written.getOrigin());
            }
        }
        return entry.append(NL).append("    Reason: ").append(reason).toString();
    }

    /** The setting as written in the source that wins, with where it is written. */
    private ConfigurationProperty written(String property) {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty found = source.getConfigurationProperty(name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String expected(BindException cause) {
        Class<?> type = cause.getTarget().getType().resolve(Object.class);
        if (type == Duration.class) {
            return DURATION;
        }
        if (type == Period.class) {
            return "must be a period such as 30d, 2w, 6m, 1y";
        }
        if (type == DataSize.class) {
            return "must be a size such as 256KB, 10MB (units B, KB, MB, GB)";
        }
        if (type.isEnum()) {
            return "must be one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(value -> ((Enum<?>) value)
                                    .name()
                                    .toLowerCase(Locale.ROOT)
                                    .replace('_', '-'))
                            .collect(Collectors.joining(", "));
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "must be a whole number";
        }
        if (type == float.class || type == double.class || type.getSuperclass() == Number.class) {
            return "must be a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "must be true or false";
        }
        Throwable reason = cause.getCause();
        return reason == null ? "must be a value of type " + type.getSimpleName() : reason.getMessage();
    }

    /** {@code breaker.failureRateThreshold} as it is written: {@code breaker.failure-rate-threshold}. */
    private static String kebab(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
