package org.cartrelay.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.cartrelay.intake.ConsentDefault;
import org.cartrelay.intake.digistore24.Digistore24Properties;
import org.cartrelay.intake.generic.GenericProperties;
import org.cartrelay.intake.shopify.ShopifyProperties;
import org.cartrelay.intake.woocommerce.WooCommerceProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code cartrelay.*} settings bind with their documented defaults, and a value that makes no sense stops the
 * start with a message naming the setting.
 */
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
}
