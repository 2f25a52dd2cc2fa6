package org.cartrelay.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * The hub's {@code cartrelay.*} settings, typed, validated at start-up and with their defaults. Each source's own
 * settings ({@code cartrelay.sources.<name>.*}) are a record in its package under {@code org.cartrelay.intake}.
 *
 * @param intake The intake endpoints' body limit, 503 answer and group commit.
 * @param abandonment The abandonment timer and the enrichment of abandoned events.
 * @param delivery How deliveries are claimed, sent, throttled and broken off per connector.
 * @param recovery What an abandoned event offers the buyer, and how long an order recovers it.
 * @param policy The privacy policy.
 * @param retention Rows older than this are purged (pending checkouts and events with deliveries still waiting
 *        excepted).
 * @param purgeInterval How often the retention purge runs.
 * @param backlogAlertAge A connector's oldest waiting delivery older than this raises hub.backlog.too-old, once
 *        each time it crosses the age.
 * @param publicUrl The hub's address as buyers reach it, e.g. https://relay.shop.example; the base of the
 *        one-click unsubscribe links.
 * @param unsubscribe The one-click unsubscribe links and the suppression list.
 * @param admin The admin user of the API, the admin page and the actuator endpoints beyond health.
 * @param jmx Remote JMX.
 * @param cluster Several instances on one database: the connectors' shared state and the instances' heartbeats.
 * @param demo The bundled demo connector and receiver.
 * @param homeDir The hub's home folder, absolute; derived from cartrelay.home (CARTRELAY_HOME, else
 *        the working directory) at start-up, not set by hand.
 */
@ConfigurationProperties("cartrelay")
@Validated
public record CartRelayProperties(
        @DefaultValue @Valid Intake intake,
        @DefaultValue @Valid Abandonment abandonment,
        @DefaultValue @Valid Delivery delivery,
        @DefaultValue @Valid Recovery recovery,
        @DefaultValue @Valid Policy policy,
        @DefaultValue("90d") @NotNull @PositiveDuration Duration retention,
        @DefaultValue("1h") @NotNull @PositiveDuration Duration purgeInterval,
        @DefaultValue("15m") @NotNull @PositiveDuration Duration backlogAlertAge,
        String publicUrl,
        @DefaultValue Unsubscribe unsubscribe,
        @DefaultValue @Valid Admin admin,
        @DefaultValue @Valid Jmx jmx,
        @DefaultValue @Valid Cluster cluster,
        @DefaultValue Demo demo,
        Path homeDir) {

    /**
     * One-click unsubscribe. Changing the key invalidates every link sent and every hash on the suppression list.
     *
     * @param key Signs the links and salts the suppression list's hashes; unset: the one generated into
     *        <home>/data/unsubscribe-key.
     */
    public record Unsubscribe(String key) {}

    /**
     * Intake: notices that arrive together are kept in one transaction (group commit); every request is answered only
     * after its commit.
     *
     * @param maxBody Larger bodies get 413.
     * @param retryAfterSeconds The Retry-After of a 503 when the store is unreachable.
     * @param batchSize At most this many notices are kept in one transaction.
     * @param commitThreads Transactions committing notices at once.
     * @param queueCapacity Notices that may wait for a commit; beyond it the answer is 503.
     * @param commitTimeout How long a request waits for its commit before the answer is 503.
     * @param mode direct: the intake keeps each notice in the store before it answers; kafka: it publishes each
     *        notice to a Kafka topic and answers after the broker's acknowledgement, and processors write them to the
     *        store.
     * @param kafka The Kafka intake mode's topic, producer and processors.
     */
    public record Intake(
            @DefaultValue("256KB") @NotNull DataSize maxBody,
            @DefaultValue("30") @PositiveOrZero int retryAfterSeconds,
            @DefaultValue("100") @Positive int batchSize,
            @DefaultValue("1") @Positive int commitThreads,
            @DefaultValue("10000") @Positive int queueCapacity,
            @DefaultValue("10s") @NotNull @PositiveDuration Duration commitTimeout,
            @DefaultValue("direct") @NotNull Mode mode,
            @DefaultValue @Valid Kafka kafka) {

        /** Where an accepted notice goes before the intake answers. */
        public enum Mode {
            DIRECT,
            KAFKA
        }
    }

    /**
     * The Kafka intake mode: notices are published keyed by the buyer's email (so a buyer's notices keep their
     * order), by an idempotent producer waiting for every in-sync replica; processors in one consumer group write
     * them to the store in batches and commit a batch's offsets only after its database commit.
     *
     * @param brokers The Kafka bootstrap servers, host:port[,host:port]; required in the kafka mode.
     * @param topic The topic notices are published to; its partitions bound how many processors share the work.
     * @param groupId The processors' consumer group; every instance of one hub uses the same.
     * @param process Whether this instance processes notices; false makes an instance that only publishes.
     * @param consumers Kafka consumers (threads) this instance processes with.
     * @param batchSize At most this many notices are stored in one transaction (the consumers' max.poll.records).
     * @param batchWait How long a consumer gathers notices before it stores what it has.
     * @param publishTimeout How long the intake waits for the broker's acknowledgement before the answer is 503.
     * @param properties Further Kafka client settings for producer and consumers (security.protocol, sasl.*, ...).
     */
    public record Kafka(
            String brokers,
            @DefaultValue("cartrelay-notices") @NotBlank String topic,
            @DefaultValue("cartrelay-intake") @NotBlank String groupId,
            @DefaultValue("true") boolean process,
            @DefaultValue("1") @Positive int consumers,
            @DefaultValue("500") @Positive int batchSize,

            @DefaultValue("100ms") @NotNull @PositiveDuration
            Duration batchWait,

            @DefaultValue("5s") @NotNull @PositiveDuration Duration publishTimeout,
            @DefaultValue Map<String, String> properties) {}

    /**
     * The abandonment timer, and the enrichment of each abandoned event.
     *
     * @param delay How long a started checkout waits for its order before it counts as abandoned, from when the hub
     *        received the notice; 0s is allowed; a source may override it.
     * @param pollInterval How often the timer looks for due checkouts.
     * @param batchSize Due checkouts abandoned per transaction.
     * @param repeatWindow The window in which a buyer's earlier abandonments count towards attempt.
     * @param highValueThreshold The checkout total from which the value tier is high; unset: every checkout
     *        is normal.
     */
    public record Abandonment(
            @DefaultValue("30m") @NotNull @NonNegativeDuration
            Duration delay,

            @DefaultValue("1s") @NotNull @PositiveDuration Duration pollInterval,
            @DefaultValue("100") @Positive int batchSize,

            @DefaultValue("30d") @NotNull @NonNegativeDuration
            Duration repeatWindow,

            @PositiveOrZero BigDecimal highValueThreshold) {}

    /**
     * What an abandoned event offers the buyer: a resume link when the source gave none, and a coupon, either one
     * fixed code or codes from a pool file, each handed out once (set one of the two, not both).
     *
     * @param linkTemplate The resume link for sources that give none, with placeholders such as {email}.
     * @param coupon One fixed coupon code for every abandoned event.
     * @param couponPool A file of coupon codes, one a line, relative to the home folder.
     * @param window An order recovers an abandoned checkout only this long after its abandonment.
     */
    public record Recovery(
            String linkTemplate,
            String coupon,
            String couponPool,

            @DefaultValue("30d") @NotNull @NonNegativeDuration
            Duration window) {}

    /**
     * Privacy policy (docs/privacy.md).
     *
     * @param euBuyers What happens to buyers in EU countries.
     */
    public record Policy(
            @DefaultValue("require-consent") @NotNull EuBuyers euBuyers) {}

    public enum EuBuyers {
        /** Treated like every other buyer (each connector's requireConsent still applies). */
        INCLUDE,
        /** Sent only with the buyer's newsletter consent. */
        REQUIRE_CONSENT,
        /** Never sent. */
        EXCLUDE
    }

    /**
     * Delivery to the connectors.
     *
     * @param pollInterval How often each connector's lane looks for due deliveries (new ones wake it at once).
     * @param concurrency Calls in flight at once, per connector.
     * @param prefetch Deliveries a lane holds ahead per worker.
     * @param leaseMargin Added to the lease of a delivery a lane takes; a delivery whose lease runs out is claimed
     *        again.
     * @param shutdownGrace On a graceful stop, how long in-flight deliveries may finish.
     * @param breaker Each connector's circuit breaker.
     * @param throttle How a connector slows down when its target asks it to.
     */
    public record Delivery(
            @DefaultValue("250ms") @NotNull @PositiveDuration
            Duration pollInterval,

            @DefaultValue("4") @Positive int concurrency,
            @DefaultValue("32") @Positive int prefetch,

            @DefaultValue("30s") @NotNull @NonNegativeDuration
            Duration leaseMargin,

            @DefaultValue("10s") @NotNull @NonNegativeDuration
            Duration shutdownGrace,

            @DefaultValue @Valid Breaker breaker,
            @DefaultValue @Valid Throttle throttle) {}

    /**
     * Per-connector circuit breaker: it opens when enough of the last calls failed (connection errors, timeouts, 5xx)
     * or were slow, once the window holds enough calls; it waits, then lets trial calls through, and each time the
     * trials fail it waits longer.
     *
     * @param failureRateThreshold Percent of failed calls in the window that opens the breaker.
     * @param slidingWindow Calls the failure rate is taken over.
     * @param minimumCalls Calls the window must hold before the rate counts.
     * @param halfOpenCalls Trial calls while half-open.
     * @param openFor How long an open breaker waits before its trial calls.
     * @param openForMultiplier Each time the trial calls fail, the wait grows by this factor.
     * @param maxOpenFor The longest wait of an open breaker.
     * @param slowCall A call that takes longer is slow; unset: half the connector's timeout.
     * @param slowCallRateThreshold Percent of slow calls that opens the breaker.
     */
    public record Breaker(
            @DefaultValue("50") @Positive @DecimalMax("100") float failureRateThreshold,
            @DefaultValue("20") @Positive int slidingWindow,
            @DefaultValue("10") @Positive int minimumCalls,
            @DefaultValue("5") @Positive int halfOpenCalls,
            @DefaultValue("5s") @NotNull @PositiveDuration Duration openFor,
            @DefaultValue("2") @DecimalMin("1") double openForMultiplier,
            @DefaultValue("5m") @NotNull @PositiveDuration Duration maxOpenFor,
            @PositiveDuration Duration slowCall,

            @DefaultValue("100") @Positive @DecimalMax("100")
            float slowCallRateThreshold) {}

    /**
     * A target's "slow down" (429, or 503 with Retry-After): the connector waits what the target's Retry-After says,
     * at most maxWait; without one, defaultWait, doubled for each such answer in a row.
     *
     * @param defaultWait The wait after a "slow down" without Retry-After, doubled for each in a row.
     * @param maxWait The longest wait a target's Retry-After gets.
     */
    public record Throttle(
            @DefaultValue("1s") @NotNull @PositiveDuration Duration defaultWait,
            @DefaultValue("10m") @NotNull @PositiveDuration Duration maxWait) {}

    /**
     * The admin user of {@code /api/**}, the admin page and the actuator endpoints other than health.
     *
     * @param username The admin's user name.
     * @param password The admin's password; unset: the one generated into <home>/data/admin-password.
     * @param loginAttemptsPerMinute Sign-in attempts per client address and minute; beyond them 429.
     */
    public record Admin(
            @DefaultValue("admin") @NotBlank String username,
            String password,
            @DefaultValue("10") @Positive int loginAttemptsPerMinute) {}

    /**
     * JMX beyond the local process.
     *
     * @param remote Remote JMX, off unless its port is set.
     */
    public record Jmx(@DefaultValue @Valid Remote remote) {

        /**
         * Remote JMX: registry and connector share the one port; it never runs without credentials.
         *
         * @param port Turns remote JMX on at this port.
         * @param host The address remote JMX binds to.
         * @param username The user of remote JMX.
         * @param password The password of remote JMX.
         */
        public record Remote(
                @Min(1) @Max(65535) Integer port,
                @DefaultValue("127.0.0.1") @NotBlank String host,
                String username,
                String password) {}
    }

    /**
     * Several instances on one database. A connector's pause and 410-disable are the cluster's: every instance reads
     * them from the store. Each instance writes a heartbeat; one whose heartbeat lapsed counts as gone, and the
     * deliveries it held are released at once.
     *
     * @param statePollInterval How often an instance reads the connectors' state that another may have changed; on
     *        PostgreSQL a notification applies a change at once, and this is the fallback.
     * @param heartbeat How often an instance writes its heartbeat and looks for instances whose heartbeat lapsed.
     * @param lapseAfter An instance whose last heartbeat is older than this counts as gone, and the deliveries it
     *        held leased are released; at least twice the heartbeat.
     */
    public record Cluster(
            @DefaultValue("500ms") @NotNull @PositiveDuration
            Duration statePollInterval,

            @DefaultValue("2s") @NotNull @PositiveDuration Duration heartbeat,
            @DefaultValue("10s") @NotNull @PositiveDuration Duration lapseAfter) {}

    /**
     * The demo connector {@code demo-echo} (bundled in the hub) and the demo receiver {@code /demo/echo} it sends to.
     * Not for production.
     *
     * @param enabled Adds the demo connector and the demo receiver.
     * @param secret Signs the demo connector's calls; /demo/echo keeps only what it signed.
     */
    public record Demo(boolean enabled, String secret) {}
}
