package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import org.cartrelay.intake.generic.GenericIntakeTest;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.RawHttp;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fuzzer's requests (Mutations) posted to a running hub over HTTP, each with a client timeout: never a 5xx, never
 * a hung request, every refusal a problem body, and what was kept before stays as it was. The count and the first
 * seed: -Dcartrelay.fuzz.requests=N, -Dcartrelay.fuzz.seed=S.
 */
class IntakeHttpFuzzTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    private static Set<String> notices() {
        return new HashSet<>(hub().jdbc()
                .sql("select id, source, source_event_id, outcome, reason, canonical, raw_body" + " from notice")
                .query((rs, row) -> String.join(
                        "|",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        String.valueOf(rs.getString(5)),
                        String.valueOf(rs.getString(6)),
                        rs.getString(7)))
                .list());
    }

    private static String keeper() {
        return hub().jdbc()
                .sql("select id, status, checkout_ref, email, product_ref, due_at, started_event"
                        + " from checkout where checkout_ref = 'keeper-1'")
                .query((rs, row) -> String.join(
                        "|",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7)))
                .single();
    }

    @Test
    void mutatedRequestsNeverGetA5xxNorHangAndChangeNothingKept() {
        hub().clock().pin(Instant.ofEpochSecond(Mutations.NOW));
        // kept before: a checkout no mutation can reach, and the fixtures themselves
        String keeper = """
                {"type": "checkout.started", "source": "keeper", "sourceEventId": "keeper-1",
                 "checkout": {"id": "keeper-1", "total": "10.00", "currency": "EUR"},
                 "customer": {"email": "keeper@example.org"}}""";
        assertThat(GenericIntakeTest.postSigned(hub(), "keeper-1", Mutations.NOW, keeper)
                        .statusCode())
                .isEqualTo(202);
        assertThat(hub().postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"))
                        .body())
                .isEqualTo("OK");
        Set<String> before = notices();
        String keeperBefore = keeper();

        int requests = Integer.getInteger("cartrelay.fuzz.requests", 300);
        long firstSeed =
                Long.getLong("cartrelay.fuzz.seed", ThreadLocalRandom.current().nextLong());
        TreeMap<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            long seed = firstSeed + i;
            Mutations.Request request = Mutations.any(seed);
            RawHttp.Response response;
            try {
                response = RawHttp.post(hub().port(), request.target(), request.headers(), request.body(), TIMEOUT);
            } catch (RawHttp.Timeout e) {
                throw new AssertionError(
                        "No answer within " + TIMEOUT + " (seed " + seed + ", " + request.source() + ")", e);
            }
            String what = "seed " + seed + ", " + request.source() + ": " + response.status() + " "
                    + abbreviate(response.body());
            assertThat(response.status()).as(what).isLessThan(500);
            if (response.status() >= 400) {
                assertThat(Mutations.refusals(request.source())).as(what).contains(response.status());
                assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
                JsonNode problem = IntakeTestSupport.json(response.body());
                assertThat(problem.get("status").asInt()).as(what).isEqualTo(response.status());
            } else if (request.source().equals("generic")) {
                assertThat(response.status()).as(what).isEqualTo(202);
            } else {
                assertThat(response.status()).as(what).isEqualTo(200);
                assertThat(response.body()).as(what).isEqualTo("OK");
            }
            answers.merge(request.source() + " " + response.status(), 1, Integer::sum);
        }
        assertThat(notices()).containsAll(before);
        assertThat(keeper()).isEqualTo(keeperBefore);
        // the spread, for whoever runs it with another budget
        System.out.println("IntakeHttpFuzzTest: " + requests + " requests from seed " + firstSeed + ": " + answers);
        if (answers.keySet().stream().noneMatch(key -> key.endsWith(" 200") || key.endsWith(" 202"))) {
            fail("No mutated request was accepted at all: the mutations no longer reach the parsers");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
