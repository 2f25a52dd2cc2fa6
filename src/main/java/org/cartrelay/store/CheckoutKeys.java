package org.cartrelay.store;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What opening a run of checkouts looks up: the checkout refs by source, and the buyers. Immutable; without nulls or
 * repeats, in the order given.
 */
public record CheckoutKeys(Map<String, Set<String>> refsBySource, Set<String> emails) {

    public static final CheckoutKeys NONE = new CheckoutKeys(Map.of(), Set.of());

    public CheckoutKeys {
        Map<String, Set<String>> refs = new LinkedHashMap<>();
        refsBySource.forEach((source, sourceRefs) -> {
            Set<String> kept = distinct(sourceRefs);
            if (!kept.isEmpty()) {
                refs.put(source, kept);
            }
        });
        refsBySource = Collections.unmodifiableMap(refs);
        emails = distinct(emails);
    }

    public static CheckoutKeys of(Map<String, ? extends Collection<String>> refsBySource, Collection<String> emails) {
        Map<String, Set<String>> refs = new LinkedHashMap<>();
        refsBySource.forEach((source, sourceRefs) -> refs.put(source, new LinkedHashSet<>(sourceRefs)));
        return new CheckoutKeys(refs, new LinkedHashSet<>(emails));
    }

    /** Whether there is nothing to look up. */
    public boolean isEmpty() {
        return refsBySource.isEmpty() && emails.isEmpty();
    }

    /** Whether these keys hold every one of {@code other}'s refs and buyers. */
    public boolean covers(CheckoutKeys other) {
        return other.refsBySource.entrySet().stream()
                        .allMatch(e ->
                                refsBySource.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue()))
                && emails.containsAll(other.emails);
    }

    private static Set<String> distinct(Collection<String> keys) {
        Set<String> kept = new LinkedHashSet<>();
        keys.stream().filter(Objects::nonNull).forEach(kept::add);
        return Collections.unmodifiableSet(kept);
    }
}
