package org.cartrelay.intake;

import org.cartrelay.ops.HubMetrics;
import org.cartrelay.ops.Traces;
import org.slf4j.Logger;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;

/**
 * Stores a notice and applies it to the lifecycle in one transaction (shared with the notices that arrived
 * alongside, see {@link NoticeCommitter}). Returns only after the commit: an intake endpoint answers 2xx for nothing
 * it has not kept. A repeat (same source and source event id) changes nothing and gets the first notice's id back.
 */
@Service
public class IntakeService {

    private final NoticeCommitter committer;
    private final HubMetrics metrics;
    private final Traces traces;

    public IntakeService(NoticeCommitter committer, HubMetrics metrics, Traces traces) {
        this.committer = committer;
        this.metrics = metrics;
        this.traces = traces;
    }

    public record Receipt(String noticeId, boolean duplicate) {}

    public Receipt accept(Notice notice) {
        Receipt receipt = committer.commit(notice);
        String outcome = receipt.duplicate()
                ? "duplicate"
                : notice.outcome() == Notice.Outcome.REJECTED ? "rejected" : "accepted";
        metrics.notice(notice.source(), outcome);
        traces.current().tag(Traces.NOTICE_ID, receipt.noticeId()).tag("cartrelay.notice.outcome", outcome);
        return receipt;
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
