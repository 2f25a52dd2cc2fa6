package org.cartrelay.connectors.http;

import java.util.Map;
import java.util.function.Consumer;

/**
 * One request a vendor connector makes: method, path below the connector's base URL, headers besides the
 * connector's own, a JSON body, and what to do with the answer's body once it succeeded (e.g. remember a ticket id).
 */
public record HttpCall(String method, String path, Map<String, String> headers, String body, Consumer<String> onSuccess) {

    public HttpCall {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        onSuccess = onSuccess == null ? answer -> { } : onSuccess;
    }

    public static HttpCall json(String method, String path, String body) {
        return new HttpCall(method, path, Map.of(), body, null);
    }

    public HttpCall withHeaders(Map<String, String> more) {
        return new HttpCall(method, path, more, body, onSuccess);
    }

    public HttpCall then(Consumer<String> action) {
        return new HttpCall(method, path, headers, body, action);
    }
}
