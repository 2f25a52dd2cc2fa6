package org.cartrelay.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body (or query string) as ordered pairs, decoded as UTF-8. A malformed
 * percent-escape is a {@link MalformedException}, which names the pair but never echoes the sender's bytes.
 */
public final class FormBody {

    private final List<Map.Entry<String, String>> pairs;
    private final Map<String, String> first;

    private FormBody(List<Map.Entry<String, String>> pairs) {
        this.pairs = Collections.unmodifiableList(pairs);
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            map.putIfAbsent(pair.getKey(), pair.getValue());
        }
        this.first = Collections.unmodifiableMap(map);
    }

    public static FormBody parse(byte[] body) {
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    public static FormBody parse(String encoded) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        if (encoded != null && !encoded.isEmpty()) {
            String[] parts = encoded.split("&");
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String key = decode(eq < 0 ? part : part.substring(0, eq), i + 1, "name");
                String value = eq < 0 ? "" : decode(part.substring(eq + 1), i + 1, "value");
                pairs.add(Map.entry(key, value));
            }
        }
        return new FormBody(pairs);
    }

    private static String decode(String s, int pair, String part) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("The " + part + " of pair " + pair
                    + " has a malformed percent-escape (a % must be followed by two hex digits).");
        }
    }

    /** The text is no valid form encoding; the message is safe to log and to answer. */
    public static final class MalformedException extends IllegalArgumentException {
        MalformedException(String message) {
            super(message);
        }
    }

    public List<Map.Entry<String, String>> pairs() {
        return pairs;
    }

    /**
     * The first value of a key, trimmed, or null when absent or nothing is left: only what the buyer filled in
     * counts. (trim() also drops control characters that isBlank() keeps, so the check comes after it.)
     */
    public String get(String key) {
        String value = first.get(key);
        String trimmed = value == null ? null : value.trim();
        return trimmed == null || trimmed.isBlank() ? null : trimmed;
    }

    public Map<String, String> asMap() {
        return first;
    }
}
