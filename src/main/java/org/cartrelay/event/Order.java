package org.cartrelay.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The shop's order behind an {@code order.completed}; its amount is the event's checkout total. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Order(String id) {}
