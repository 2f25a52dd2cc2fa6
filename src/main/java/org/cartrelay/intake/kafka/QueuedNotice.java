package org.cartrelay.intake.kafka;

import java.time.Instant;

import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.EventJson;
import org.cartrelay.intake.Notice;
import org.cartrelay.intake.NoticeCommitter;

/**
 * A verified notice as a Kafka record's value (JSON): everything its row and its change to the lifecycle need, fixed
 * where it was received, so that the processor that stores it (on any instance, later, or twice) stores the same.
 *
 * @param id the id it is stored under when it is new
 * @param receivedAt when the intake received it; a started checkout's abandonment delay counts from here
 * @param canonical its canonical event as JSON, or null when none could be made
 * @param traceParent the W3C trace context of its intake, or null
 */
record QueuedNotice(
        String id,
        String source,
        String sourceEventId,
        Instant receivedAt,
        Notice.Outcome outcome,
        String reason,
        String rawBody,
        String canonical,
        String traceParent) {

    static QueuedNotice of(Notice notice, String id, Instant receivedAt, String traceParent) {
        return new QueuedNotice(
                id,
                notice.source(),
                notice.sourceEventId(),
                receivedAt,
                notice.outcome(),
                notice.reason(),
                notice.rawBody(),
                notice.event() == null ? null : EventJson.write(notice.event()),
                traceParent);
    }

    static QueuedNotice read(String json) {
        return EventJson.read(json, QueuedNotice.class);
    }

    String json() {
        return EventJson.write(this);
    }

    NoticeCommitter.Prepared prepared() {
        CanonicalEvent event = canonical == null ? null : EventJson.read(canonical, CanonicalEvent.class);
        return NoticeCommitter.prepare(
                new Notice(source, sourceEventId, rawBody, event, outcome, reason), id, receivedAt, traceParent);
    }

    /** The same notice, kept for the record as rejected because it could not be applied. */
    NoticeCommitter.Prepared rejectedFor(Throwable failure) {
        return NoticeCommitter.prepare(
                Notice.rejected(
                        source,
                        sourceEventId,
                        rawBody,
                        "Could not be applied: " + failure.getClass().getSimpleName()),
                id,
                receivedAt,
                traceParent);
    }
}
