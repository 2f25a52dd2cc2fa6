package org.cartrelay.event;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Address(String street, String city, String state, String zip, String country) {

    /** An address with no field filled in is no address. */
    public static Address of(String street, String city, String state, String zip, String country) {
        if (street == null && city == null && state == null && zip == null && country == null) {
            return null;
        }
        return new Address(street, city, state, zip, country);
    }
}
