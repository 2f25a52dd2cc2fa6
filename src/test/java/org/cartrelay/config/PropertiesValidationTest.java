package org.cartrelay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.cartrelay.intake.ConsentDefault;
import org.cartrelay.intake.digistore24.Digistore24Properties;
import org.cartrelay.intake.generic.GenericProperties;
import org.cartrelay.intake.shopify.ShopifyProperties;
import org.cartrelay.intake.woocommerce.WooCommerceProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The {@code cartrelay.*} settings bind with their documented defaults, and a value that makes no sense stops the
 * start with a message naming the setting; the hub prints it with the value as written, where it was written and what
 * is allowed.
 */
@ExtendWith(OutputCaptureExtension.class)
class PropertiesValidationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({
        CartRelayProperties.class,
        Digistore24Properties.class,
        ShopifyProperties.class,
        GenericProperties.class,
        WooCommerceProperties.class
    })
    static class Settings {}

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(Settings.class);

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            CartRelayProperties properties = context.getBean(CartRelayProperties.class);
            assertThat(properties.abandonment().delay()).isEqualTo(Duration.ofMinutes(30));
            assertThat(properties.intake().maxBody().toKilobytes()).isEqualTo(256);
            assertThat(properties.admin().username()).isEqualTo("admin");
            assertThat(properties.admin().password()).isNull();
            assertThat(properties.admin().loginAttemptsPerMinute()).isEqualTo(10);
            assertThat(properties.jmx().remote().port()).isNull();
            assertThat(properties.jmx().remote().host()).isEqualTo("127.0.0.1");
            assertThat(properties.demo().enabled()).isFalse();
            assertThat(properties.demo().secret()).isNull();
            assertThat(context.getBean(Digistore24Properties.class).zone().getId())
                    .isEqualTo("Europe/Berlin");
            assertThat(context.getBean(Digistore24Properties.class).checkoutEvents())
                    .isEmpty();
            assertThat(context.getBean(GenericProperties.class).tolerance()).isEqualTo(Duration.ofMinutes(5));
            assertThat(context.getBean(WooCommerceProperties.class).consentField())
                    .isEqualTo("newsletter_consent");
            assertThat(context.getBean(ShopifyProperties.class).consentDefault())
                    .isEqualTo(ConsentDefault.NONE);
            assertThat(context.getBean(ShopifyProperties.class).abandonmentDelay())
                    .isNull();
        });
    }

    @Test
    void anAbandonmentDelayOfZeroIsAllowed() {
        runner.withPropertyValues(
                        "cartrelay.abandonment.delay=0s",
                        "cartrelay.sources.shopify.abandonment-delay=0s",
                        "cartrelay.admin.username=ops",
                        "cartrelay.jmx.remote.port=9010",
                        "cartrelay.demo.enabled=true",
                        "cartrelay.home-dir=/srv/cartrelay")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    CartRelayProperties properties = context.getBean(CartRelayProperties.class);
                    assertThat(properties.abandonment().delay()).isZero();
                    assertThat(context.getBean(ShopifyProperties.class).abandonmentDelay())
                            .isZero();
                    assertThat(properties.admin().username()).isEqualTo("ops");
                    assertThat(properties.jmx().remote().port()).isEqualTo(9010);
                    assertThat(properties.demo().enabled()).isTrue();
                    assertThat(properties.homeDir()).hasToString("/srv/cartrelay");
                });
    }

    @ParameterizedTest
    @CsvSource({
        "cartrelay.intake.batch-size, 0, batchSize",
        "cartrelay.intake.commit-timeout, 0s, commitTimeout",
        "cartrelay.abandonment.delay, -1s, delay",
        "cartrelay.abandonment.poll-interval, 0s, pollInterval",
        "cartrelay.delivery.concurrency, 0, concurrency",
        "cartrelay.delivery.breaker.failure-rate-threshold, 101, failureRateThreshold",
        "cartrelay.delivery.breaker.open-for-multiplier, 0.5, openForMultiplier",
        "cartrelay.delivery.throttle.max-wait, 0s, maxWait",
        "cartrelay.retention, 0s, retention",
        "cartrelay.sources.generic.tolerance, 0s, tolerance",
        "cartrelay.sources.digistore24.abandonment-delay, -5m, abandonmentDelay",
        "cartrelay.admin.login-attempts-per-minute, 0, loginAttemptsPerMinute",
        "cartrelay.admin.username, ' ', username",
        "cartrelay.jmx.remote.port, 70000, port",
    })
    void aValueThatMakesNoSenseStopsTheStart(String key, String value, String field) {
        runner.withPropertyValues(key + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(field + "': rejected value");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @Import(Settings.class)
    @ImportAutoConfiguration(ValidationAutoConfiguration.class)
    static class Hub {}

    /** Starts the settings the way the hub starts them, on an empty home, and returns what it printed. */
    private static String startFailing(CapturedOutput output, Path home, String... args) {
        SpringApplication application = new SpringApplication(Hub.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--cartrelay.home=" + home);
        assertThatThrownBy(() -> application.run(all.toArray(String[]::new)).close())
                .isNotNull();
        return output.getAll();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "cartrelay.delivery.concurrency | 0 | must be greater than 0",
                "cartrelay.abandonment.delay | -1s | must be a duration of zero or more, such as 0s, 10s, 500ms, 2m",
                "cartrelay.intake.commit-timeout | 0s | must be a duration longer than zero, such as 10s, 500ms, 2m",
                "cartrelay.intake.commit-timeout | soon | must be a duration such as 10s, 500ms, 2m (units ns, us, ms, "
                        + "s, m, h, d)",
                "cartrelay.delivery.breaker.failure-rate-threshold | 101 | must be less than or equal to 100",
                "cartrelay.policy.eu-buyers | maybe | must be one of include, require-consent, exclude",
                "cartrelay.sources.generic.tolerance | 0s | must be a duration longer than zero, such as 10s, 500ms, 2m",
            })
    void aRefusedSettingIsPrintedWithItsValueOriginAndWhatIsAllowed(
            String key, String value, String reason, CapturedOutput output, @TempDir Path home) {
        String printed = startFailing(output, home, "--" + key + "=" + value);

        String nl = System.lineSeparator();
        assertThat(printed)
                .contains("APPLICATION FAILED TO START")
                .contains("Description:" + nl + nl + "A setting is not allowed:" + nl + nl + "    Property: " + key
                        + nl + "    Value: \"" + value + "\"" + nl + "    Origin: \"" + key
                        + "\" from property source \"commandLineArgs\"" + nl + "    Reason: " + reason + nl)
                .contains("Action:" + nl + nl + "Change the value where the origin says");
    }

    @Test
    void aRefusedSettingInTheHomesConfigFileIsTracedToItsLine(CapturedOutput output, @TempDir Path home)
            throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/application.yml"), """
                cartrelay:
                  delivery:
                    concurrency: 0
                    poll-interval: 0ms
                """);

        String printed = startFailing(output, home);

        String config = home.resolve("config/application.yml").toString();
        assertThat(printed)
                .contains("2 settings are not allowed:")
                .contains("    Property: cartrelay.delivery.concurrency")
                .contains("    Value: \"0\"")
                .contains("    Property: cartrelay.delivery.poll-interval")
                .contains("    Value: \"0ms\"")
                .contains("    Reason: must be a duration longer than zero, such as 10s, 500ms, 2m")
                .containsPattern("Origin: .*" + Pattern.quote(config) + ".* - 3:18")
                .containsPattern("Origin: .*" + Pattern.quote(config) + ".* - 4:20");
    }
}
