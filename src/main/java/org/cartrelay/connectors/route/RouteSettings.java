package org.cartrelay.connectors.route;

/** The key of {@code type: route}: the Camel endpoint the event is handed to. */
public record RouteSettings(String uri) {}
