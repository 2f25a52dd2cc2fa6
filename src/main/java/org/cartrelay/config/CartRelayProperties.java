package org.cartrelay.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Every {@code cartrelay.*} setting, typed and with its default. */
@ConfigurationProperties("cartrelay")
public record CartRelayProperties(
        @DefaultValue Intake intake,
        @DefaultValue Abandonment abandonment,
        @DefaultValue Sources sources,
        @DefaultValue Delivery delivery,
        @DefaultValue Recovery recovery,
        @DefaultValue Policy policy,
        @DefaultValue("90d") Duration retention,
        @DefaultValue("1h") Duration purgeInterval,
        String publicUrl,
        @DefaultValue Unsubscribe unsubscribe,
        @DefaultValue Demo demo,
        Path homeDir) {

    /** The demo: the bundled demo connector and its echo endpoint, off unless enabled. */
    public record Demo(boolean enabled, String secret) {
    }

    /**
     * One-click unsubscribe: the key that signs the links and salts the suppression list's hashes (unset: one is
     * generated into {@code <home>/data/unsubscribe-key}). Changing it invalidates every link sent and every hash.
     */
    public record Unsubscribe(String key) {
    }

    /**
     * Intake: the body limit, the Retry-After of a 503, and the group commit (notices that arrive together are
     * kept in one transaction of at most batchSize, by commitThreads committers, one by default; a request waits at
     * most commitTimeout for its commit, and at most queueCapacity notices wait at once).
     */
    public record Intake(
            @DefaultValue("256KB") DataSize maxBody,
            @DefaultValue("30") int retryAfterSeconds,
            @DefaultValue("100") int batchSize,
            @DefaultValue("1") int commitThreads,
            @DefaultValue("10000") int queueCapacity,
            @DefaultValue("10s") Duration commitTimeout) {
    }

    /**
     * The abandonment timer, and the enrichment of each abandoned event: the window in which a buyer's earlier
     * abandonments count towards {@code attempt}, and the checkout total from which its value tier is {@code high}
     * (unset: every checkout is {@code normal}).
     */
    public record Abandonment(
            @DefaultValue("30m") Duration delay,
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("100") int batchSize,
            @DefaultValue("30d") Duration repeatWindow,
            BigDecimal highValueThreshold) {
    }

    /**
     * What an abandoned event offers the buyer: a resume link built from linkTemplate when the source gave none,
     * and a coupon, either one fixed code or codes taken one by one from couponPool (a file, one code a line,
     * relative to the home folder), each handed out once. An order recovers an abandoned checkout only within window
     * of its abandonment.
     */
    public record Recovery(String linkTemplate, String coupon, String couponPool,
            @DefaultValue("30d") Duration window) {
    }

    /** Privacy policy: what happens to buyers in EU countries (SPEC section 4). */
    public record Policy(@DefaultValue("require-consent") EuBuyers euBuyers) {
    }

    public enum EuBuyers {
        /** Treated like every other buyer (each connector's requireConsent still applies). */
        INCLUDE,
        /** Sent only with the buyer's newsletter consent. */
        REQUIRE_CONSENT,
        /** Never sent. */
        EXCLUDE
    }

    public record Sources(
            @DefaultValue Digistore24 digistore24,
            @DefaultValue Shopify shopify,
            @DefaultValue Generic generic,
            @DefaultValue WooCommerce woocommerce) {

        /** The abandonment delay of one source: its own override, else the hub's default. */
        public Duration delayFor(String source, Duration fallback) {
            Duration override = switch (source) {
                case "digistore24" -> digistore24.abandonmentDelay();
                case "shopify" -> shopify.abandonmentDelay();
                case "woocommerce" -> woocommerce.abandonmentDelay();
                default -> generic.abandonmentDelay();
            };
            return override != null ? override : fallback;
        }
    }

    public record Digistore24(
            String passphrase,
            @DefaultValue("Europe/Berlin") ZoneId zone,
            @DefaultValue List<String> checkoutEvents,
            Duration abandonmentDelay,
            @DefaultValue("none") ConsentDefault consentDefault) {
    }

    public record Shopify(String secret, Duration abandonmentDelay, @DefaultValue("none") ConsentDefault consentDefault) {
    }

    public record Generic(String secret, @DefaultValue("5m") Duration tolerance, Duration abandonmentDelay,
            @DefaultValue("none") ConsentDefault consentDefault) {
    }

    /**
     * CartFlows sends no consent; {@code consentField} names the form field that carries it where the shop adds one
     * (values as Digistore24's {@code newsletter_choice}: yes, true, 1, …).
     */
    public record WooCommerce(String token, String currency, Duration abandonmentDelay,
            @DefaultValue("newsletter_consent") String consentField,
            @DefaultValue("none") ConsentDefault consentDefault) {
    }

    /**
     * What a source's notice means for newsletter consent when it says nothing about it: {@code none} (no consent,
     * the default), or {@code newsletter} for shops that collect consent elsewhere, at checkout, before sending.
     * A notice that does say (yes or no) is taken as it says.
     */
    public enum ConsentDefault {
        NONE,
        NEWSLETTER;

        /** The notice's consent: what it said, else this default (null for none when the source had none either). */
        public org.cartrelay.event.Consent apply(org.cartrelay.event.Consent given) {
            if (given != null && given.newsletter() != null) {
                return given;
            }
            return this == NEWSLETTER ? new org.cartrelay.event.Consent(true) : given;
        }
    }

    public record Delivery(
            @DefaultValue("250ms") Duration pollInterval,
            @DefaultValue("4") int concurrency,
            @DefaultValue("32") int prefetch,
            @DefaultValue("30s") Duration leaseMargin,
            @DefaultValue("10s") Duration shutdownGrace,
            @DefaultValue Breaker breaker,
            @DefaultValue Throttle throttle) {
    }

    /**
     * Per-connector circuit breaker (resilience4j): it opens when at least failureRateThreshold percent of the last
     * slidingWindow calls failed (connection errors, timeouts, 5xx), or slowCallRateThreshold percent took longer
     * than slowCall (unset: half the connector's timeout), once the window holds minimumCalls; it waits openFor, then
     * lets halfOpenCalls trial calls through, and each time the trials fail it waits openForMultiplier times longer,
     * up to maxOpenFor.
     */
    public record Breaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("20") int slidingWindow,
            @DefaultValue("10") int minimumCalls,
            @DefaultValue("5") int halfOpenCalls,
            @DefaultValue("5s") Duration openFor,
            @DefaultValue("2") double openForMultiplier,
            @DefaultValue("5m") Duration maxOpenFor,
            Duration slowCall,
            @DefaultValue("100") float slowCallRateThreshold) {
    }

    /**
     * A target's "slow down" (429, or 503 with Retry-After): the connector waits what the target's Retry-After says,
     * at most maxWait; without one, defaultWait, doubled for each such answer in a row.
     */
    public record Throttle(
            @DefaultValue("1s") Duration defaultWait,
            @DefaultValue("10m") Duration maxWait) {
    }
}
