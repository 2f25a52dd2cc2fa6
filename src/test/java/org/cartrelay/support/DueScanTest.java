package org.cartrelay.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Where the timer's and the lanes' looks for due rows start. */
class DueScanTest {

    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    private final AtomicLong nanos = new AtomicLong();
    private final DueScan scan = new DueScan(nanos::get);

    @Test
    void theFirstLookIsFromTheEarliest() {
        assertThat(scan.from(T)).isNull();
    }

    @Test
    void aLookThatFoundAllThatWasDueIsFollowedByOneFromAMarginBeforeIt() {
        scan.from(T);
        scan.caughtUp(T);
        assertThat(scan.from(T.plusSeconds(1))).isEqualTo(T.minus(DueScan.MARGIN));
        // later looks keep that start until one of them catches up again
        assertThat(scan.from(T.plusSeconds(3))).isEqualTo(T.minus(DueScan.MARGIN));
        scan.caughtUp(T.plusSeconds(3));
        assertThat(scan.from(T.plusSeconds(4))).isEqualTo(T.plusSeconds(3).minus(DueScan.MARGIN));
    }

    @Test
    void aLookThatStoppedAtItsLimitIsContinuedFromTheLastDueTimeItTook() {
        scan.from(T);
        scan.stoppedAt(T.minusSeconds(600), T);
        assertThat(scan.from(T)).isEqualTo(T.minusSeconds(600));
        // but never from later than a margin before the look: rows due then may not have committed yet
        scan.stoppedAt(T.minusMillis(100), T);
        assertThat(scan.from(T)).isEqualTo(T.minus(DueScan.MARGIN));
    }

    @Test
    void aClockSetBackMovesTheStartBackWithIt() {
        scan.from(T);
        scan.caughtUp(T);
        assertThat(scan.from(T.minusSeconds(3600)))
                .isEqualTo(T.minusSeconds(3600).minus(DueScan.MARGIN));
    }

    @Test
    void afterAResetAndEveryFewSecondsALookIsFromTheEarliestAgain() {
        scan.from(T);
        scan.caughtUp(T);
        scan.reset();
        assertThat(scan.from(T)).isNull();
        // a reset while a look is under way holds when that look ends
        scan.caughtUp(T);
        assertThat(scan.from(T)).isEqualTo(T.minus(DueScan.MARGIN));
        scan.reset();
        scan.caughtUp(T);
        assertThat(scan.from(T)).isNull();

        scan.caughtUp(T);
        nanos.addAndGet(DueScan.FULL_LOOK_EVERY.minusMillis(1).toNanos());
        assertThat(scan.from(T)).isNotNull();
        nanos.addAndGet(Duration.ofMillis(2).toNanos());
        assertThat(scan.from(T)).isNull();
        // and the one after that starts where that one left it
        assertThat(scan.from(T)).isEqualTo(T.minus(DueScan.MARGIN));
    }

    @Test
    void whatAWriterHereCommittedIsLookedForHoweverLongItsCommitTook() {
        scan.from(T);
        scan.caughtUp(T);
        // committed only now, due a minute before where the next look would start
        scan.include(T.minusSeconds(60));
        assertThat(scan.from(T.plusSeconds(1))).isEqualTo(T.minusSeconds(60));
        scan.caughtUp(T.plusSeconds(1));

        // committed while a look was under way, which may have missed it: that look's end keeps it
        assertThat(scan.from(T.plusSeconds(2))).isEqualTo(T.plusSeconds(1).minus(DueScan.MARGIN));
        scan.include(T.minusSeconds(30));
        scan.caughtUp(T.plusSeconds(2));
        assertThat(scan.from(T.plusSeconds(3))).isEqualTo(T.minusSeconds(30));
        scan.caughtUp(T.plusSeconds(3));
        assertThat(scan.from(T.plusSeconds(4))).isEqualTo(T.plusSeconds(3).minus(DueScan.MARGIN));
    }
}
