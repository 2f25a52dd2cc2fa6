package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.TargetedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * A target's "slow down" (429, or 503 with Retry-After, in seconds or as an HTTP date) holds its connector as a whole
 * until the time it named, counts neither as a failure of the delivery nor toward the breaker, and everything arrives
 * without a storm of calls.
 */
class TargetRateSignalTest {

    @RegisterExtension
    final TargetedHub crm = new TargetedHub();

    private TestHub hub(String... properties) {
        return crm.hub(
                "timeout: 5s\n" + "retry: {maxAttempts: 3, initialDelay: 30s, multiplier: 2, maxDelay: 1m, jitter: 0}",
                properties);
    }

    private static long delivered(TestHub hub) {
        return TargetedHub.delivered(hub);
    }

    /** The value of one of the crm connector's gauges in a Prometheus scrape. */
    private static double gauge(String scrape, String name) {
        String line = scrape.lines()
                .filter(l -> l.startsWith(name + "{") && l.contains("connector=\"crm\""))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in the scrape"));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).replace("+Inf", "Infinity"));
    }

    private static ConnectorRuntime runtime(TestHub hub) {
        return hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();
    }

    @Test
    void a429WithRetryAfterInSecondsOnEachDeliveryHoldsTheConnectorAndEverythingArrives() {
        ScriptedTarget target =
                crm.target(call -> call.nth() == 1 ? Answer.of(429).retryAfter("1") : Answer.of(200));
        // one call at a time, so that every call after a 429 is one the hub chose to make after it
        try (TestHub hub = hub("cartrelay.delivery.concurrency", "1")) {
            Notices.startCheckouts(hub, "ra", 6);

            await().atMost(Duration.ofSeconds(90)).until(() -> delivered(hub) == 6);
            List<Call> calls = target.calls();
            assertThat(calls).filteredOn(c -> c.status() == 429).hasSize(6);
            assertThat(calls)
                    .filteredOn(c -> c.status() == 200)
                    .extracting(Call::webhookId)
                    .doesNotHaveDuplicates()
                    .hasSize(6);
            for (int i = 0; i + 1 < calls.size(); i++) {
                if (calls.get(i).status() == 429) {
                    assertThat(calls.get(i + 1).at())
                            .as("the call after the 429 at %s", calls.get(i).at())
                            .isAfterOrEqualTo(calls.get(i).at().plusMillis(995));
                }
            }
            // a throttled attempt is no failure: nothing dead, the breaker never counted it
            assertThat(hub.count("select count(*) from delivery where throttled = 1 and attempts = 2"
                            + " and status = 'delivered'"))
                    .isEqualTo(6);
            assertThat(hub.count("select count(*) from delivery_attempt where outcome = 'throttled'"
                            + " and status_code = 429"))
                    .isEqualTo(6);
            assertThat(runtime(hub).circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(runtime(hub).throttled()).isEqualTo(6);
        }
    }

    @Test
    void a503WithRetryAfterIsTheSameSignal() {
        ScriptedTarget target =
                crm.target(call -> call.nth() == 1 ? Answer.of(503).retryAfter("1") : Answer.of(204));
        try (TestHub hub = hub("cartrelay.delivery.concurrency", "1")) {
            Notices.startCheckouts(hub, "ra503", 3);

            await().atMost(Duration.ofSeconds(60)).until(() -> delivered(hub) == 3);
            assertThat(hub.count("select count(*) from delivery_attempt where outcome = 'throttled'"
                            + " and status_code = 503"))
                    .isEqualTo(3);
            assertThat(hub.count("select count(*) from delivery_attempt where outcome = 'retry'"))
                    .isZero();
            assertThat(runtime(hub).circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    @Test
    void a429WithAnHttpDateOnEveryCallForAWhileMakesNoStorm() {
        // from the first call on, every call is refused until a whole second a few seconds later, told as an HTTP date
        AtomicReference<Instant> refusing = new AtomicReference<>();
        ScriptedTarget target = crm.target(call -> {
            Instant end = refusing.updateAndGet(
                    set -> set != null ? set : call.at().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS));
            return call.at().isBefore(end) ? Answer.of(429).retryAfter(ScriptedTarget.httpDate(end)) : Answer.of(200);
        });
        try (TestHub hub = hub()) {
            Notices.startCheckouts(hub, "date", 20);

            await().atMost(Duration.ofSeconds(60)).until(() -> delivered(hub) == 20);
            List<Call> refused = target.calls(c -> c.status() == 429);
            // the calls that were in flight together when the first 429 came back, no more (4 workers)
            assertThat(refused).hasSizeBetween(1, 4);
            Instant first = refused.get(0).at();
            Instant until = refusing.get();
            assertThat(target.calls(c -> c.at().isAfter(first.plusMillis(500)) && c.at().isBefore(until)))
                    .as("calls after the first 429 and before its Retry-After")
                    .isEmpty();
            assertThat(target.calls(c -> c.status() == 200))
                    .extracting(Call::webhookId)
                    .doesNotHaveDuplicates()
                    .hasSize(20);
            assertThat(hub.count("select count(*) from delivery where status <> 'delivered'"))
                    .isZero();
        }
    }

    @Test
    void whileItWaitsTheConnectorShowsUntilWhenAndItsLoweredConcurrency() {
        ScriptedTarget target = crm.target(call -> Answer.of(429).retryAfter("120"));
        try (TestHub hub = hub("cartrelay.admin.username", "ops", "cartrelay.admin.password", "s3cret")) {
            Notices.startCheckouts(hub, "wait", 1);
            ConnectorRuntime runtime = runtime(hub);

            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.waitingUntil(Instant.now()) != null);
            Instant waiting = runtime.waitingUntil(Instant.now());
            assertThat(waiting)
                    .isBetween(Instant.now().plusSeconds(100), Instant.now().plusSeconds(121));
            assertThat(runtime.concurrency()).isEqualTo(3);
            assertThat(hub.get("/actuator/health").statusCode()).isEqualTo(200);
            String prometheus = TestHub.send(HttpRequest.newBuilder(hub.uri("/actuator/prometheus"))
                            .header(
                                    "Authorization",
                                    "Basic "
                                            + Base64.getEncoder()
                                                    .encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8)))
                            .GET())
                    .body();
            assertThat(gauge(prometheus, "cartrelay_connector_waiting_seconds")).isBetween(90.0, 120.0);
            assertThat(gauge(prometheus, "cartrelay_connector_concurrency")).isEqualTo(3.0);
            assertThat(gauge(prometheus, "cartrelay_connector_rate_limit")).isInfinite();
            assertThat(target.calls()).hasSize(1);
        }
    }
}
