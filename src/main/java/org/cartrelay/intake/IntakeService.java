package org.cartrelay.intake;

import org.cartrelay.ops.HubMetrics;
import org.cartrelay.ops.Traces;
import org.slf4j.Logger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;

/**
 * Stores a notice and applies it to the lifecycle in one transaction (shared with the notices that arrived
 * alongside, see {@link NoticeCommitter}). Returns only after the commit: an intake endpoint answers 2xx for nothing
 * it has not kept. A repeat (same source and source event id) changes nothing and gets the first notice's id back.
 *
 * <p>With a {@link NoticeHandOff} (the Kafka intake mode) the notice is handed over instead, and counted when a
 * processor stores it.
 */
@Service
public class IntakeService {

    private final NoticeCommitter committer;
    private final HubMetrics metrics;
    private final Traces traces;
    private final NoticeHandOff handOff;

    public IntakeService(
            NoticeCommitter committer, HubMetrics metrics, Traces traces, ObjectProvider<NoticeHandOff> handOff) {
        this.committer = committer;
        this.metrics = metrics;
        this.traces = traces;
        this.handOff = handOff.getIfAvailable();
    }

    public record Receipt(String noticeId, boolean duplicate) {}

    public Receipt accept(Notice notice) {
        if (handOff != null) {
            Receipt receipt = handOff.handOver(notice);
            traces.current().tag(Traces.NOTICE_ID, receipt.noticeId()).tag("cartrelay.notice.outcome", "handed-over");
            return receipt;
        }
        Receipt receipt = committer.commit(notice);
        String outcome = outcome(notice, receipt);
        metrics.notice(notice.source(), outcome);
        traces.current().tag(Traces.NOTICE_ID, receipt.noticeId()).tag("cartrelay.notice.outcome", outcome);
        return receipt;
    }

    /** The outcome a stored notice is counted under. */
    public static String outcome(Notice notice, Receipt receipt) {
        if (receipt.duplicate()) {
            return "duplicate";
        }
        return notice.outcome() == Notice.Outcome.REJECTED ? "rejected" : "accepted";
    }

    /**
     * A shop's form or webhook notice, parsed: kept, logged with its outcome on the intake's own logger, and
     * answered {@code OK} (the answer the shops' IPN senders expect); a refusal is answered as parsed.
     */
    public ResponseEntity<?> acceptAndAnswerOk(Parsed parsed, Logger log) {
        if (parsed.notice() == null) {
            return parsed.answer();
        }
        Receipt receipt = accept(parsed.notice());
        log.info(
                "{}: {} {}{}",
                parsed.summary(),
                parsed.notice().outcome(),
                receipt.noticeId(),
                receipt.duplicate() ? " (repeat)" : "");
        return ok();
    }

    public static ResponseEntity<String> ok() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body("OK");
    }
}
