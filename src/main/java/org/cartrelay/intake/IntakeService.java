package org.cartrelay.intake;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

import org.cartrelay.event.EventJson;
import org.cartrelay.lifecycle.Lifecycle;
import org.cartrelay.ops.HubMetrics;
import org.cartrelay.store.NoticeStore;
import org.cartrelay.support.Ids;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a notice and applies it to the lifecycle in one transaction. Returns only after the commit: an intake
 * endpoint answers 2xx for nothing it has not kept. A repeat (same source and source event id) changes nothing and
 * gets the first notice's id back.
 */
@Service
public class IntakeService {

    private final NoticeStore notices;
    private final Lifecycle lifecycle;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final HubMetrics metrics;

    public IntakeService(NoticeStore notices, Lifecycle lifecycle, TransactionTemplate tx, Clock clock,
            HubMetrics metrics) {
        this.notices = notices;
        this.lifecycle = lifecycle;
        this.tx = tx;
        this.clock = clock;
        this.metrics = metrics;
    }

    public record Receipt(String noticeId, boolean duplicate) {
    }

    public Receipt accept(Notice notice) {
        String id = Ids.next("ntc");
        Instant now = clock.instant();
        try {
            tx.executeWithoutResult(status -> {
                notices.insert(id, notice.source(), notice.sourceEventId(), now,
                        notice.event() == null ? null : notice.event().type(),
                        notice.event() == null || notice.event().email() == null ? null
                                : notice.event().email().toLowerCase(Locale.ROOT),
                        notice.rawBody(), notice.event() == null ? null : EventJson.write(notice.event()),
                        notice.outcome().name().toLowerCase(Locale.ROOT), notice.reason());
                if (notice.outcome() == Notice.Outcome.PROCESSED) {
                    lifecycle.apply(notice.source(), notice.event(), now);
                }
            });
            metrics.notice(notice.source(), notice.outcome() == Notice.Outcome.REJECTED ? "rejected" : "accepted");
            return new Receipt(id, false);
        } catch (DuplicateKeyException e) {
            Receipt repeat = notices.findId(notice.source(), notice.sourceEventId())
                    .map(existing -> new Receipt(existing, true))
                    .orElseThrow(() -> e);
            metrics.notice(notice.source(), "duplicate");
            return repeat;
        }
    }
}
