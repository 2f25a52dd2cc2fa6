package org.cartrelay.connectors.http;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One request a vendor connector makes: method, path below the connector's base URL, headers besides the
 * connector's own, a JSON body, and what to do with the answer's body once it succeeded (e.g. remember a ticket id).
 * A call that must not be made twice (it creates something, and the vendor takes no idempotency key) names a
 * {@code lookup}: on a retry, that request comes first, and when {@code found} finds in its answer what an earlier
 * attempt created, the call is not made again and {@code found}'s answer stands for its own.
 */
public record HttpCall(
        String method,
        String path,
        Map<String, String> headers,
        String body,
        Consumer<String> onSuccess,
        HttpCall lookup,
        Function<String, String> found) {

    public HttpCall {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        onSuccess = onSuccess == null ? answer -> {} : onSuccess;
    }

    public static HttpCall json(String method, String path, String body) {
        return new HttpCall(method, path, Map.of(), body, null, null, null);
    }

    public HttpCall withHeaders(Map<String, String> more) {
        return new HttpCall(method, path, more, body, onSuccess, lookup, found);
    }

    public HttpCall then(Consumer<String> action) {
        return new HttpCall(method, path, headers, body, action, lookup, found);
    }

    /**
     * On a retry, first {@code lookup}; {@code found} turns its answer into this call's answer when an earlier
     * attempt already did what this call does, or null when it did not.
     */
    public HttpCall unlessFound(HttpCall lookup, Function<String, String> found) {
        return new HttpCall(method, path, headers, body, onSuccess, lookup, found);
    }
}
