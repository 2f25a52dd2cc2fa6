package org.cartrelay.intake;

import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.support.Digests;

/**
 * One received notification as it will be stored: the raw body, its canonical form (null when none could be made)
 * and what the hub does with it.
 */
public record Notice(
        String source, String sourceEventId, String rawBody, CanonicalEvent event, Outcome outcome, String reason) {

    /** The widths of the columns notice.source_event_id and notice.reason. */
    static final int MAX_SOURCE_EVENT_ID = 255;

    static final int MAX_REASON = 1000;

    /**
     * A source event id wider than its column, or holding a NUL character (which PostgreSQL text cannot), is kept as
     * {@code sha256-<hex of it>}: the same notification still gets the same key. A reason is cut to its column, and a
     * NUL character a sender's value brought into it is written as an escape.
     */
    public Notice {
        if (sourceEventId != null
                && (sourceEventId.length() > MAX_SOURCE_EVENT_ID || sourceEventId.indexOf('\u0000') >= 0)) {
            sourceEventId = "sha256-" + Digests.sha256(sourceEventId);
        }
        if (reason != null && reason.indexOf('\u0000') >= 0) {
            reason = reason.replace("\u0000", "\\u0000");
        }
        if (reason != null && reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON - 1) + "…";
        }
    }

    public enum Outcome {
        /** Applied to the lifecycle. */
        PROCESSED,
        /** Kept for the record; it means nothing to abandonment (refunds, rebills, …). */
        IGNORED,
        /** Authentic but unusable (no valid email, …); answered 2xx so the sender stops retrying. */
        REJECTED
    }

    public static Notice processed(String source, String sourceEventId, String rawBody, CanonicalEvent event) {
        return new Notice(source, sourceEventId, rawBody, event, Outcome.PROCESSED, null);
    }

    public static Notice ignored(
            String source, String sourceEventId, String rawBody, CanonicalEvent event, String reason) {
        return new Notice(source, sourceEventId, rawBody, event, Outcome.IGNORED, reason);
    }

    public static Notice rejected(String source, String sourceEventId, String rawBody, String reason) {
        return new Notice(source, sourceEventId, rawBody, null, Outcome.REJECTED, reason);
    }
}
