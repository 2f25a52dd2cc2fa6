package org.cartrelay.config;

import java.math.BigDecimal;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every {@code cartrelay.*} setting, typed and with its default. Each source's own settings
 * ({@code cartrelay.sources.<name>.*}) are a record in its package under {@code org.cartrelay.intake}.
 */
@ConfigurationProperties("cartrelay")
public record CartRelayProperties(
        @DefaultValue Intake intake,
        @DefaultValue Abandonment abandonment,
        @DefaultValue Delivery delivery,
        @DefaultValue Recovery recovery,
        @DefaultValue Policy policy,
        @DefaultValue("90d") Duration retention,
        @DefaultValue("1h") Duration purgeInterval,
        String publicUrl,
        @DefaultValue Unsubscribe unsubscribe) {

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

    /** Privacy policy: what happens to buyers in EU countries (docs/privacy.md). */
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
