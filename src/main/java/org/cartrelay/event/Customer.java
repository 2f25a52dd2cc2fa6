package org.cartrelay.event;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Customer(
        String email, String firstName, String lastName, String phone, Address address, String language) {}
