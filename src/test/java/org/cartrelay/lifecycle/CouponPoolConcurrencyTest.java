package org.cartrelay.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The coupon pool hands out each code once, however many threads of however many hub instances (two here, on one
 * database) claim at the same time, and abandonments racing on two instances each get their own code.
 */
class CouponPoolConcurrencyTest {

    private static TestHub.Builder hub(TestDatabase database, Path pool) {
        return TestHub.on(database)
                .property("cartrelay.abandonment.delay", "1h")
                .property("cartrelay.recovery.coupon-pool", pool.toAbsolutePath());
    }

    @Test
    void theCouponPoolNeverHandsOutACodeTwiceUnderConcurrencyOnTwoInstances() throws Exception {
        Path pool = Files.createTempFile("coupons", ".txt");
        Files.writeString(
                pool, IntStream.rangeClosed(1, 60).mapToObj(i -> "C" + i).collect(Collectors.joining("\n")));
        try (TestDatabase database = TestDatabase.create();
                TestHub first = hub(database, pool).start();
                TestHub second = hub(database, pool).start()) {
            assertThat(first.count("select count(*) from coupon_code")).isEqualTo(60); // the second added none
            List<CouponPool> pools = List.of(first.bean(CouponPool.class), second.bean(CouponPool.class));
            int threads = 12;
            int claimsEach = 8; // 96 claims for 60 codes
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService executor = Executors.newFixedThreadPool(threads);
            List<Future<List<Optional<String>>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                CouponPool coupons = pools.get(t % 2);
                String thread = "t" + t;
                Callable<List<Optional<String>>> claims = () -> {
                    go.await();
                    List<Optional<String>> got = new ArrayList<>();
                    for (int i = 0; i < claimsEach; i++) {
                        got.add(coupons.next("chk_" + thread + "_" + i, Instant.now()));
                    }
                    return got;
                };
                results.add(executor.submit(claims));
            }
            go.countDown();
            List<String> codes = new ArrayList<>();
            int none = 0;
            for (Future<List<Optional<String>>> result : results) {
                for (Optional<String> code : result.get()) {
                    if (code.isPresent()) {
                        codes.add(code.get());
                    } else {
                        none++;
                    }
                }
            }
            executor.shutdown();
            assertThat(codes).hasSize(60).doesNotHaveDuplicates();
            assertThat(none).isEqualTo(threads * claimsEach - 60);
            assertThat(first.count("select count(*) from coupon_code where claimed_at is null"))
                    .isZero();
            assertThat(first.count("select count(distinct checkout_id) from coupon_code"))
                    .isEqualTo(60);
        } finally {
            Files.deleteIfExists(pool);
        }
    }

    @Test
    void abandonmentsRacingOnTwoInstancesEachGetTheirOwnCode() throws Exception {
        Path pool = Files.createTempFile("coupons", ".txt");
        Files.writeString(
                pool, IntStream.rangeClosed(1, 100).mapToObj(i -> "R" + i).collect(Collectors.joining("\n")));
        try (TestDatabase database = TestDatabase.create();
                TestHub first = hub(database, pool)
                        .property("cartrelay.abandonment.batch-size", "3")
                        .start();
                TestHub second = hub(database, pool)
                        .property("cartrelay.abandonment.batch-size", "3")
                        .clock(first.clock())
                        .start()) {
            for (int i = 0; i < 40; i++) {
                String cart = "race-" + i;
                EnrichmentTest.post(
                        i % 2 == 0 ? first : second,
                        cart,
                        EnrichmentTest.started(cart, cart + "@example.com", "10.00", null, "tea:10.00"));
            }
            first.clock().advance(Duration.ofHours(2));
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            first.count("select count(*) from outbound_event where type = 'checkout.abandoned'") == 40);
            List<String> coupons = new ArrayList<>();
            for (String payload : first.jdbc()
                    .sql("select payload from outbound_event")
                    .query(String.class)
                    .list()) {
                JsonNode event = EnrichmentTest.JSON.readTree(payload);
                coupons.add(event.get("abandonment").get("coupon").asText());
            }
            assertThat(coupons).hasSize(40).doesNotHaveDuplicates();
            assertThat(first.count("select count(*) from coupon_code where claimed_at is not null"))
                    .isEqualTo(40);
        } finally {
            Files.deleteIfExists(pool);
        }
    }
}
