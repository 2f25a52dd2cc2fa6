package org.cartrelay.testing;

import java.net.http.HttpResponse;

/**
 * Signed generic notices for connector tests: a started checkout with its own product, total and country (so a
 * connector's {@code filter} can pick it out), and the order that completes it.
 */
public final class Checkouts {

    private Checkouts() {}

    /** Posts {@code checkout.started} for {@code cart-<key>} and fails unless the hub accepts it. */
    public static void start(TestHub hub, String key, String productId, String total, String country) {
        accept(hub, "start-" + key, """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "%s",
                              "items": [{"productId": "%s", "name": "Tea", "quantity": 1, "unitPrice": "%s"}]},
                 "customer": {"email": "%s@example.com", "firstName": "Test", "lastName": "Buyer",
                              "address": {"city": "Berlin", "country": "%s"}},
                 "consent": {"newsletter": true}}
                """.formatted(key, key, total, productId, total, key, country));
    }

    /** Posts {@code order.completed} for {@code cart-<key>}: after abandonment this recovers the checkout. */
    public static void complete(TestHub hub, String key, String total) {
        accept(hub, "order-" + key, """
                {"type": "order.completed", "source": "test-shop", "sourceEventId": "order-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "%s"},
                 "order": {"id": "ord-%s"},
                 "customer": {"email": "%s@example.com"}}
                """.formatted(key, key, total, key, key));
    }

    private static void accept(TestHub hub, String id, String json) {
        HttpResponse<String> response = Notices.post(hub, id, json);
        if (response.statusCode() != 202) {
            throw new AssertionError(
                    "Notice " + id + " was not accepted: " + response.statusCode() + " " + response.body());
        }
    }
}
