package org.cartrelay.intake.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.intake.IntakeService;
import org.cartrelay.intake.NoticeCommitter;
import org.cartrelay.ops.HubMetrics;
import org.cartrelay.store.StoreUnreachable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

/**
 * The Kafka intake mode's processors: a consumer group on {@code cartrelay.intake.kafka.topic} that stores the
 * notices the intake published, each poll's batch in one transaction through {@link NoticeCommitter#storeNow}, and
 * commits the batch's offsets only after that commit. A batch the store could not take (unreachable, or in conflict
 * with another instance) is not committed: the consumer goes back to its last committed offsets and tries again, and
 * what was stored before is then a repeat, which the notices' dedupe (source and source event id, and the notice's
 * own id) answers. A notice that fails on its own is kept as rejected, with its raw body, so that it neither blocks
 * its partition nor is lost; a record that is no notice at all is logged and skipped.
 */
@Component
@ConditionalOnProperty(name = "cartrelay.intake.mode", havingValue = "kafka")
@ConditionalOnBooleanProperty(name = "cartrelay.intake.kafka.process", matchIfMissing = true)
public class KafkaNoticeProcessor extends RouteBuilder {

    static final String ROUTE_ID = "intake-kafka";
    private static final Logger log = LoggerFactory.getLogger(KafkaNoticeProcessor.class);

    private final CartRelayProperties.Kafka settings;
    private final NoticeCommitter committer;
    private final HubMetrics metrics;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();

    public KafkaNoticeProcessor(CartRelayProperties properties, NoticeCommitter committer, HubMetrics metrics) {
        this.settings = properties.intake().kafka();
        this.committer = committer;
        this.metrics = metrics;
    }

    @Override
    public void configure() {
        KafkaEndpoint endpoint = getContext()
                .getEndpoint("kafka:" + settings.topic() + "?groupId=" + settings.groupId(), KafkaEndpoint.class);
        var configuration = endpoint.getConfiguration();
        configuration.setBrokers(KafkaNoticePublisher.brokers(settings));
        configuration.setConsumersCount(settings.consumers());
        configuration.setAutoOffsetReset("earliest");
        configuration.setBatching(true);
        configuration.setMaxPollRecords(settings.batchSize());
        int wait = (int) Math.min(Integer.MAX_VALUE, settings.batchWait().toMillis());
        configuration.setPollTimeoutMs((long) wait);
        configuration.setBatchingIntervalMs(wait);
        configuration.setAutoCommitEnable(false);
        configuration.setAllowManualCommit(true);
        configuration.setBreakOnFirstError(true);
        configuration.setAdditionalProperties(new LinkedHashMap<>(settings.properties()));
        endpoint.setKafkaManualCommitFactory(new DefaultKafkaManualCommitFactory());
        // a batch that fails is logged here and read again: no error handler of its own
        from(endpoint).routeId(ROUTE_ID).errorHandler(noErrorHandler()).process(this::storeOrRetry);
    }

    /** Notices this instance stored (repeats included) since it started. */
    public long stored() {
        return stored.get();
    }

    /** Batches the store did not take, read again from their partitions' committed offsets, since start. */
    public long retried() {
        return retried.get();
    }

    private void storeOrRetry(Exchange batch) {
        try {
            store(batch);
        } catch (RuntimeException e) {
            retried.incrementAndGet();
            log.warn(
                    "A batch of notices was not stored ({}); reading it again",
                    e.getClass().getSimpleName());
            throw e;
        }
    }

    private void store(Exchange batch) {
        @SuppressWarnings("unchecked")
        List<Exchange> records = batch.getMessage().getBody(List.class);
        List<QueuedNotice> queued = new ArrayList<>(records.size());
        List<NoticeCommitter.Prepared> prepared = new ArrayList<>(records.size());
        for (Exchange record : records) {
            QueuedNotice notice = read(record);
            if (notice != null) {
                queued.add(notice);
                prepared.add(prepare(notice));
            }
        }
        List<NoticeCommitter.Stored> results = committer.storeNow(prepared);
        for (int i = 0; i < results.size(); i++) {
            NoticeCommitter.Stored result = results.get(i);
            NoticeCommitter.Prepared kept = prepared.get(i);
            if (result.failure() != null) {
                // counted as what was stored: the notice as rejected
                kept = rejectedFor(queued.get(i), result.failure());
                result = storeRejected(queued.get(i), kept);
            }
            metrics.notice(kept.notice().source(), IntakeService.outcome(kept.notice(), result.receipt()));
        }
        stored.addAndGet(prepared.size());
        commitOffsets(records);
    }

    /** The record's notice, or null (logged) when it is none: it is skipped, not retried for ever. */
    private static QueuedNotice read(Exchange record) {
        try {
            QueuedNotice notice = QueuedNotice.read(record.getMessage().getBody(String.class));
            if (notice.id() == null || notice.source() == null || notice.sourceEventId() == null) {
                throw new IllegalArgumentException("it lacks its id, source or source event id");
            }
            return notice;
        } catch (RuntimeException e) {
            log.error(
                    "Skipped the record at partition {} offset {}: it is no notice the intake published ({})",
                    record.getMessage().getHeader(KafkaConstants.PARTITION),
                    record.getMessage().getHeader(KafkaConstants.OFFSET),
                    e.getClass().getSimpleName());
            return null;
        }
    }

    /** The notice's row and change, or, when its canonical event cannot be read back, the notice as rejected. */
    private static NoticeCommitter.Prepared prepare(QueuedNotice notice) {
        try {
            return notice.prepared();
        } catch (RuntimeException e) {
            log.error("Notice {} could not be read back; keeping it as rejected", notice.id(), e);
            return notice.rejectedFor(e);
        }
    }

    /**
     * A failure the store will get over is the batch's: it is thrown, and the batch is read again. Any other is the
     * notice's own, which is then kept as rejected.
     */
    private static NoticeCommitter.Prepared rejectedFor(QueuedNotice notice, Throwable failure) {
        if (StoreUnreachable.is(failure)
                || failure instanceof ConcurrencyFailureException
                || failure instanceof TransientDataAccessException) {
            throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        }
        log.error("Notice {} could not be applied; keeping it as rejected", notice.id(), failure);
        return notice.rejectedFor(failure);
    }

    private NoticeCommitter.Stored storeRejected(QueuedNotice notice, NoticeCommitter.Prepared rejected) {
        NoticeCommitter.Stored kept = committer.storeNow(List.of(rejected)).get(0);
        if (kept.failure() != null) {
            throw new IllegalStateException("Notice " + notice.id() + " could not be kept", kept.failure());
        }
        return kept;
    }

    /** Commits, for each partition in the batch, the offset after its last record. */
    private static void commitOffsets(List<Exchange> records) {
        Map<Integer, KafkaManualCommit> last = new LinkedHashMap<>();
        for (Exchange record : records) {
            last.put(
                    record.getMessage().getHeader(KafkaConstants.PARTITION, Integer.class),
                    record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        }
        last.values().forEach(KafkaManualCommit::commit);
    }
}
