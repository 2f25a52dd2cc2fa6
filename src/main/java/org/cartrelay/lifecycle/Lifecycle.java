package org.cartrelay.lifecycle;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.delivery.Fanout;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.intake.AbandonmentDelays;
import org.cartrelay.ops.Traces;
import org.cartrelay.store.CheckoutKeys;
import org.cartrelay.store.CheckoutStatus;
import org.cartrelay.store.CheckoutStore;
import org.cartrelay.store.CheckoutStore.CheckoutRow;
import org.cartrelay.store.CheckoutsFound;
import org.cartrelay.store.StoreUnreachable;
import org.cartrelay.support.DueScan;
import org.cartrelay.support.Ids;
import org.cartrelay.support.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.tracing.Span;

/**
 * The abandonment lifecycle: a started checkout waits in the database until its due time; an order
 * before then converts it silently, the timer otherwise abandons it once, and an order after that recovers it.
 */
@Component
public class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final CheckoutStore checkouts;
    private final Fanout fanout;
    private final Enrichment enrichment;
    private final CartRelayProperties properties;
    private final AbandonmentDelays delays;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Traces traces;
    private final AtomicLong timerRuns = new AtomicLong();
    /** Where the timer's next look for due checkouts starts. */
    private final DueScan dueScan = new DueScan();

    public Lifecycle(
            CheckoutStore checkouts,
            Fanout fanout,
            Enrichment enrichment,
            CartRelayProperties properties,
            AbandonmentDelays delays,
            TransactionTemplate tx,
            Clock clock,
            Traces traces) {
        this.checkouts = checkouts;
        this.fanout = fanout;
        this.enrichment = enrichment;
        this.properties = properties;
        this.delays = delays;
        this.tx = tx;
        this.clock = clock;
        this.traces = traces;
    }

    /** Applies an inbound event; must run inside the intake transaction that stored its notice. */
    public void apply(String source, CanonicalEvent event, Instant now) {
        apply(new Inbound(source, event, now));
    }

    private void apply(Inbound inbound) {
        switch (inbound.event().type()) {
            case CanonicalEvent.CHECKOUT_STARTED -> started(inbound);
            case CanonicalEvent.ORDER_COMPLETED -> completed(inbound);
            default ->
                throw new IllegalArgumentException(
                        "Not an inbound event type: " + inbound.event().type());
        }
    }

    /**
     * An inbound event as the intake stored it: its source, when it arrived, its canonical JSON (as stored with the
     * notice; a started checkout keeps it too) and the {@code traceparent} of the intake's span ({@code null}: not
     * traced), which a started checkout keeps and a recovery's fan-out continues.
     */
    public record Inbound(String source, CanonicalEvent event, Instant receivedAt, String json, String traceParent) {

        public Inbound(String source, CanonicalEvent event, Instant receivedAt) {
            this(source, event, receivedAt, EventJson.write(event), null);
        }
    }

    /**
     * Applies inbound events in arrival order; must run inside the intake transaction that stored their notices. A
     * run of {@code checkout.started} events with checkout ids is looked up and written a whole run at a time (one
     * statement each for the lookup, the new checkouts, the refreshed ones and the superseded ones) with the same
     * outcome as one by one.
     */
    public void applyAll(List<Inbound> events) {
        applyAll(events, null);
    }

    /**
     * The same, with what the intake looked up alongside its notices ({@link #lookahead}) for these events, or some of
     * them: the leading run of {@code checkout.started} events takes what it found if it looked up all of that run's
     * keys (nothing else has changed a checkout before that run), and any other run looks up for itself.
     */
    public void applyAll(List<Inbound> events, CheckoutsFound ahead) {
        List<Inbound> run = new ArrayList<>();
        CheckoutsFound found = ahead;
        for (Inbound inbound : events) {
            if (startsCheckoutById(inbound)) {
                run.add(inbound);
                continue;
            }
            startedAll(run, found);
            found = null;
            run.clear();
            apply(inbound);
        }
        startedAll(run, found);
    }

    /**
     * What the leading run of {@code checkout.started} events of {@link #applyAll} will look up, so that the intake
     * can look it up with its notices ({@link CheckoutKeys#NONE} when the events do not start with one). A superset
     * of the events applied serves too: the intake looks ahead before it knows which notices are repeats.
     */
    public CheckoutKeys lookahead(List<Inbound> events) {
        List<Inbound> run =
                events.stream().takeWhile(Lifecycle::startsCheckoutById).toList();
        return run.isEmpty() ? CheckoutKeys.NONE : keys(run);
    }

    private static boolean startsCheckoutById(Inbound inbound) {
        return CanonicalEvent.CHECKOUT_STARTED.equals(inbound.event().type())
                && inbound.event().checkoutId() != null;
    }

    private static CheckoutKeys keys(List<Inbound> run) {
        Map<String, Set<String>> refsBySource = new LinkedHashMap<>();
        run.forEach(in -> refsBySource
                .computeIfAbsent(in.source(), s -> new LinkedHashSet<>())
                .add(in.event().checkoutId()));
        return new CheckoutKeys(
                refsBySource,
                new LinkedHashSet<>(
                        run.stream().map(in -> normalise(in.event().email())).toList()));
    }

    private void started(Inbound inbound) {
        if (inbound.event().checkoutId() != null) {
            startedAll(List.of(inbound), null);
            return;
        }
        String source = inbound.source();
        CanonicalEvent event = inbound.event();
        Instant now = inbound.receivedAt();
        // no checkout id: the buyer's pending checkout of the same product is the same checkout
        String email = normalise(event.email());
        String product = event.firstProductId();
        Instant due = now.plus(delays.of(source));
        String json = inbound.json();
        Optional<CheckoutRow> existing =
                checkouts.findOpenByEmail(source, email, product).filter(c -> c.status() == CheckoutStatus.PENDING);
        String id = existing.map(CheckoutRow::id).orElseGet(() -> Ids.next("chk"));
        List<CheckoutStore.Started> started = List.of(
                new CheckoutStore.Started(id, source, null, email, product, now, due, json, inbound.traceParent()));
        if (existing.isPresent()) {
            checkouts.refreshPendingAll(started);
            log.debug("Checkout {} of {} refreshed, due {}", id, Masking.email(email), due);
        } else {
            checkouts.insertPendingAll(started);
            log.info("Checkout {} started by {} ({}), due {}", id, Masking.email(email), source, due);
        }
        supersedeOthers(Map.of(email, id), now);
        lookForAfterCommit(due);
    }

    /**
     * Checkouts started with checkout ids: found, opened or refreshed, and the buyers' older ones superseded. The
     * lookup also finds the buyers' pending checkouts, so the supersede statement runs only for buyers who have
     * another one: a new buyer's batch costs one statement (and round trip) less.
     */
    private void startedAll(List<Inbound> run, CheckoutsFound ahead) {
        if (run.isEmpty()) {
            return;
        }
        CheckoutKeys keys = keys(run);
        CheckoutsFound found = ahead != null && ahead.covers(keys) ? ahead : checkouts.find(keys);
        // this run's own copies of what was found, which it updates as it goes
        Map<String, Map<String, CheckoutRow>> known = new HashMap<>();
        keys.refsBySource()
                .keySet()
                .forEach(source -> known.put(source, new HashMap<>(found.byRef().getOrDefault(source, Map.of()))));
        // each buyer's pending checkouts once this run is written: those found, and those it opens or refreshes
        Map<String, Set<String>> pendingByEmail = new HashMap<>();
        found.pendingByEmail().forEach((email, ids) -> pendingByEmail.put(email, new HashSet<>(ids)));
        List<CheckoutStore.Started> inserts = new ArrayList<>();
        List<CheckoutStore.Started> refreshes = new ArrayList<>();
        Map<String, String> newestByEmail = new LinkedHashMap<>();
        for (Inbound in : run) {
            CanonicalEvent event = in.event();
            String email = normalise(event.email());
            Instant due = in.receivedAt().plus(delays.of(in.source()));
            Map<String, CheckoutRow> bySource = known.get(in.source());
            CheckoutRow row = bySource.get(event.checkoutId());
            if (row != null && row.status() != CheckoutStatus.PENDING && row.status() != CheckoutStatus.SUPERSEDED) {
                log.debug(
                        "Checkout {} is already {}; the newer notice changes nothing",
                        row.id(),
                        row.status().column());
                continue;
            }
            String id = row == null ? Ids.next("chk") : row.id();
            CheckoutStore.Started started = new CheckoutStore.Started(
                    id,
                    in.source(),
                    event.checkoutId(),
                    email,
                    event.firstProductId(),
                    in.receivedAt(),
                    due,
                    in.json(),
                    in.traceParent());
            if (row == null) {
                inserts.add(started);
                if (log.isInfoEnabled()) {
                    log.info("Checkout {} started by {} ({}), due {}", id, Masking.email(email), in.source(), due);
                }
            } else {
                refreshes.add(started);
                if (log.isDebugEnabled()) {
                    log.debug("Checkout {} of {} refreshed, due {}", id, Masking.email(email), due);
                }
            }
            // later notices of this batch see it pending, as they would have one by one
            bySource.put(
                    event.checkoutId(),
                    new CheckoutRow(
                            id,
                            in.source(),
                            event.checkoutId(),
                            email,
                            event.firstProductId(),
                            CheckoutStatus.PENDING,
                            in.receivedAt(),
                            due,
                            null,
                            null,
                            null,
                            in.traceParent()));
            pendingByEmail.computeIfAbsent(email, e -> new HashSet<>()).add(id);
            newestByEmail.remove(email);
            newestByEmail.put(email, id);
        }
        checkouts.insertPendingAll(inserts);
        checkouts.refreshPendingAll(refreshes);
        // only buyers with a pending checkout besides their newest (a refresh may have moved one to another buyer,
        // which then supersedes nothing: harmless)
        newestByEmail
                .entrySet()
                .removeIf(newest -> newest.getKey() == null
                        || pendingByEmail.getOrDefault(newest.getKey(), Set.of()).stream()
                                .allMatch(newest.getValue()::equals));
        supersedeOthers(newestByEmail, run.get(run.size() - 1).receivedAt());
        Stream.concat(inserts.stream(), refreshes.stream())
                .map(CheckoutStore.Started::dueAt)
                .min(Instant::compareTo)
                .ifPresent(this::lookForAfterCommit);
    }

    /** Once the intake's transaction commits, the timer's next look covers these checkouts, however late it is. */
    private void lookForAfterCommit(Instant due) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    dueScan.include(due);
                }
            });
        } else {
            dueScan.include(due);
        }
    }

    /**
     * A burst of checkouts by one buyer yields one abandoned event, for the newest (as Shopify does): the checkout
     * the buyer just started, or came back to, supersedes their other pending ones. Only each buyer's last checkout
     * of a batch counts, which leaves the same checkouts pending as applying the batch one by one.
     */
    private void supersedeOthers(Map<String, String> newestByEmail, Instant now) {
        int[] superseded = checkouts.supersedeOthersAll(newestByEmail, now);
        int i = 0;
        for (Map.Entry<String, String> newest : newestByEmail.entrySet()) {
            if (superseded[i++] > 0) {
                log.info(
                        "Checkout {} of {} supersedes {} older pending checkouts",
                        newest.getValue(),
                        Masking.email(newest.getKey()),
                        superseded[i - 1]);
            }
        }
    }

    /**
     * An order closes the checkout it was paid for: the one with the order's checkout id (token), or else the buyer's
     * newest open checkout that holds one of the order's products. Any other order of the buyer is an order, not a
     * recovery. An abandoned checkout is recovered only within {@code cartrelay.recovery.window} of its abandonment.
     */
    private void completed(Inbound inbound) {
        String source = inbound.source();
        CanonicalEvent event = inbound.event();
        Instant now = inbound.receivedAt();
        Optional<CheckoutRow> match = Optional.empty();
        if (event.checkoutId() != null) {
            match = checkouts.findByRef(source, event.checkoutId());
        }
        String email = normalise(event.email());
        if (match.isEmpty() && email != null) {
            Set<String> ordered = productIds(event);
            match = ordered.isEmpty()
                    ? Optional.empty()
                    : checkouts.openOfBuyer(source, email).stream()
                            .filter(c -> holdsAnyOf(c, ordered))
                            .findFirst();
        }
        if (match.isEmpty()) {
            log.debug("Order from {} matches no open checkout by id or by buyer and product", source);
            return;
        }
        CheckoutRow row = match.get();
        if (row.status() == CheckoutStatus.SUPERSEDED) {
            // the buyer paid for a cart they had replaced: the newer cart is no abandonment either
            Optional<CheckoutRow> newer = checkouts.findPendingByEmail(row.email());
            if (newer.isEmpty()) {
                log.debug("Order for superseded checkout {} finds no pending checkout of its buyer", row.id());
                return;
            }
            row = newer.get();
        }
        if (row.status() == CheckoutStatus.ABANDONED
                && row.abandonedAt() != null
                && now.isAfter(row.abandonedAt().plus(properties.recovery().window()))) {
            log.debug(
                    "Order for checkout {} comes after cartrelay.recovery.window of its abandonment: no recovery",
                    row.id());
            return;
        }
        if (row.status() == CheckoutStatus.PENDING) {
            checkouts.close(row.id(), CheckoutStatus.PENDING, CheckoutStatus.CONVERTED, now);
            log.info("Checkout {} converted before abandonment", row.id());
        } else if (row.status() == CheckoutStatus.ABANDONED
                && checkouts.close(row.id(), CheckoutStatus.ABANDONED, CheckoutStatus.RECOVERED, now)) {
            CanonicalEvent started = EventJson.read(row.startedEvent(), CanonicalEvent.class);
            String orderId = event.order() != null && event.order().id() != null
                    ? event.order().id()
                    : event.checkoutId();
            OutboundEvent.Recovery recovery = new OutboundEvent.Recovery(
                    orderId,
                    event.checkout() == null ? null : event.checkout().total(),
                    event.checkout() == null ? null : event.checkout().currency(),
                    now);
            int cancelled = row.abandonedEventId() == null ? 0 : fanout.cancelUnsent(row.abandonedEventId(), now);
            int deliveries = fanout.publishAll(
                    List.of(new Fanout.Publication(
                            OutboundEvent.recovered(Ids.next("evt"), started, recovery),
                            row.id(),
                            inbound.traceParent())),
                    now);
            log.info(
                    "Checkout {} recovered: {} deliveries, {} unsent abandonment deliveries cancelled",
                    row.id(),
                    deliveries,
                    cancelled);
        }
    }

    /**
     * Abandons every checkout that is due, a batch per transaction, until fewer than a batch are left. A batch that
     * fails is tried one checkout per transaction, so one bad checkout holds up no other; what still fails stays
     * pending for the next run. The status change, the outbound event and its deliveries commit together, and the
     * guarded update makes the event happen once.
     *
     * @return how many checkouts were abandoned
     */
    public synchronized int abandonDue() {
        timerRuns.incrementAndGet();
        int batchSize = properties.abandonment().batchSize();
        int abandoned = 0;
        Instant from = dueScan.from(clock.instant());
        while (true) {
            Instant now = clock.instant();
            List<CheckoutRow> due = checkouts.due(from, now, batchSize);
            if (due.isEmpty()) {
                dueScan.caughtUp(now);
                return abandoned;
            }
            Batch done;
            try {
                done = tx.execute(status -> abandonAll(due, now));
            } catch (RuntimeException batchFailed) {
                dueScan.reset(); // what fails stays due, before where the next look would start
                if (due.size() == 1 || StoreUnreachable.is(batchFailed)) {
                    throw batchFailed;
                }
                log.warn(
                        "Abandoning {} checkouts together failed ({}); trying them one by one",
                        due.size(),
                        batchFailed.toString());
                for (CheckoutRow row : due) {
                    try {
                        abandoned += tx.execute(status -> abandonAll(List.of(row), now))
                                .abandoned();
                    } catch (RuntimeException e) {
                        if (StoreUnreachable.is(e)) {
                            throw e;
                        }
                        log.error("Checkout {} could not be abandoned; it stays pending: {}", row.id(), e.toString());
                    }
                }
                return abandoned; // what failed is due again; the next run tries it, not this loop
            }
            abandoned += done.abandoned();
            if (due.size() < batchSize) {
                dueScan.caughtUp(now);
                return abandoned;
            }
            dueScan.stoppedAt(due.get(due.size() - 1).dueAt(), now);
            if (done.handled() == 0) {
                return abandoned;
            }
            from = dueScan.from(now);
        }
    }

    /** What one batch did: checkouts abandoned, and those plus the ones superseded instead. */
    private record Batch(int abandoned, int handled) {}

    /**
     * Supersedes due checkouts whose buyer started a newer one, marks the rest abandoned, enriches them and publishes
     * their events, in batched statements.
     */
    private Batch abandonAll(List<CheckoutRow> read, Instant now) {
        // those another instance's timer is abandoning now are its own
        List<CheckoutRow> candidates = checkouts.lockDue(read);
        List<String> superseded = checkouts.supersedeOlder(candidates, now);
        List<CheckoutRow> due = candidates.stream()
                .filter(row -> !superseded.contains(row.id()))
                .toList();
        Map<String, String> eventIds = new LinkedHashMap<>();
        for (CheckoutRow row : due) {
            eventIds.put(row.id(), Ids.next("evt"));
        }
        boolean[] marked = due.isEmpty() ? new boolean[0] : checkouts.markAbandoned(due, eventIds, now);
        List<CheckoutRow> abandoned = new ArrayList<>();
        List<CanonicalEvent> startedEvents = new ArrayList<>();
        for (int i = 0; i < due.size(); i++) {
            if (marked[i]) { // else converted or refreshed since it was read
                abandoned.add(due.get(i));
                startedEvents.add(EventJson.read(due.get(i).startedEvent(), CanonicalEvent.class));
            }
        }
        // each abandonment continues the trace of the notice that started (or last refreshed) its checkout
        List<Span> spans = new ArrayList<>(abandoned.size());
        for (CheckoutRow row : abandoned) {
            spans.add(traces.start("cartrelay abandon", null, row.traceParent())
                    .tag(Traces.CHECKOUT_ID, row.id())
                    .tag(Traces.EVENT_ID, eventIds.get(row.id())));
        }
        List<OutboundEvent.Abandonment> enrichments = enrichment.enrich(abandoned, startedEvents, now);
        List<Fanout.Publication> publications = new ArrayList<>();
        for (int i = 0; i < abandoned.size(); i++) {
            CheckoutRow row = abandoned.get(i);
            publications.add(new Fanout.Publication(
                    OutboundEvent.abandoned(eventIds.get(row.id()), startedEvents.get(i), enrichments.get(i)),
                    row.id(),
                    traces.traceParent(spans.get(i))));
        }
        if (!superseded.isEmpty()) {
            log.info("{} due checkouts superseded by a newer checkout of the same buyer", superseded.size());
        }
        int deliveries;
        try {
            deliveries = fanout.publishAll(publications, now);
        } catch (RuntimeException e) {
            spans.forEach(span -> span.error(e).end());
            throw e;
        }
        spans.forEach(Span::end);
        if (log.isDebugEnabled()) {
            publications.forEach(p -> log.debug(
                    "Checkout {} of {} abandoned: event {}",
                    p.checkoutId(),
                    Masking.email(p.event().email()),
                    p.event().id()));
        }
        if (!publications.isEmpty()) {
            log.info("{} checkouts abandoned: {} deliveries", publications.size(), deliveries);
        }
        return new Batch(publications.size(), publications.size() + superseded.size());
    }

    /** How often the timer has looked for due checkouts since start-up. */
    public long timerRuns() {
        return timerRuns.get();
    }

    private static Set<String> productIds(CanonicalEvent event) {
        if (event.checkout() == null) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        event.checkout().items().forEach(item -> {
            if (item.productId() != null) {
                ids.add(item.productId());
            }
        });
        return ids;
    }

    /** The product column holds the first item only; the stored notice has them all. */
    private static boolean holdsAnyOf(CheckoutRow checkout, Set<String> products) {
        if (checkout.productRef() != null && products.contains(checkout.productRef())) {
            return true;
        }
        return checkout.startedEvent() != null
                && productIds(EventJson.read(checkout.startedEvent(), CanonicalEvent.class)).stream()
                        .anyMatch(products::contains);
    }

    private static String normalise(String email) {
        return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
    }
}
