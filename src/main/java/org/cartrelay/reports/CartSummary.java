package org.cartrelay.reports;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The headline figures of the checkouts started in a period: how many were abandoned, how many of those recovered,
 * the recovery rate, the revenue recovered and the revenue still open (the totals of carts abandoned and not
 * recovered), each amount per currency; and per day, in the viewer's time zone, how many were abandoned that day
 * and how many recovered that day. Every day of the period is listed, with zeros; without bounds the days run from
 * the first to the last that saw an abandonment or a recovery. Defined in docs/reports.md.
 */
public final class CartSummary {

    /** A longer period is listed by the days that saw something only, so an open-ended query stays small. */
    static final int MAX_FILLED_DAYS = 400;

    private final ZoneId zone;
    private final CartStats.Figures figures = new CartStats.Figures(null, null);
    private final Map<String, BigDecimal> openRevenue = new TreeMap<>();
    private final TreeMap<LocalDate, long[]> days = new TreeMap<>();

    public CartSummary(ZoneId zone) {
        this.zone = zone;
    }

    public void add(CartRow row) {
        figures.add(row);
        if (row.abandonedAt() != null) {
            day(row.abandonedAt())[0]++;
        }
        if ("recovered".equals(row.status()) && row.closedAt() != null) {
            day(row.closedAt())[1]++;
        }
        if ("abandoned".equals(row.status()) && row.total() != null) {
            String currency = row.currency() == null ? CartStats.NO_CURRENCY : row.currency();
            openRevenue.merge(currency, row.total(), BigDecimal::add);
        }
    }

    private long[] day(Instant at) {
        return days.computeIfAbsent(LocalDate.ofInstant(at, zone), d -> new long[2]);
    }

    public CartStats.Figures figures() {
        return figures;
    }

    /** Totals of the carts abandoned and not recovered, per currency, ISO code order. */
    public Map<String, BigDecimal> openRevenue() {
        return openRevenue;
    }

    public record Day(LocalDate date, long abandoned, long recovered) {}

    /**
     * The days from {@code from} to the day before {@code to} (either absent: the first or last day with figures),
     * each with its counts; a cart started in the period may be abandoned or recovered after it, so the days run on
     * to the last that saw one: the series adds up to the headline figures.
     */
    public List<Day> days(Instant from, Instant to) {
        LocalDate first = from != null ? LocalDate.ofInstant(from, zone) : days.isEmpty() ? null : days.firstKey();
        LocalDate last = to != null ? LocalDate.ofInstant(to.minusNanos(1), zone) : null;
        if (!days.isEmpty() && (last == null || days.lastKey().isAfter(last))) {
            last = days.lastKey();
        }
        if (first != null && !days.isEmpty() && days.firstKey().isBefore(first)) {
            first = days.firstKey();
        }
        List<Day> list = new ArrayList<>();
        if (first == null || last == null || last.isBefore(first)) {
            days.forEach((date, counts) -> list.add(new Day(date, counts[0], counts[1])));
            return list;
        }
        if (first.plusDays(MAX_FILLED_DAYS).isBefore(last)) {
            days.subMap(first, true, last, true)
                    .forEach((date, counts) -> list.add(new Day(date, counts[0], counts[1])));
            return list;
        }
        for (LocalDate date = first; !date.isAfter(last); date = date.plusDays(1)) {
            long[] counts = days.getOrDefault(date, new long[2]);
            list.add(new Day(date, counts[0], counts[1]));
        }
        return list;
    }
}
