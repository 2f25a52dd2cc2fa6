package org.cartrelay.support;

import java.util.regex.Pattern;

/** A pragmatic email check: one @, a dotted domain, no spaces; the same rule as the JSON Schema's email format. */
public final class EmailAddress {

    private static final Pattern VALID = Pattern.compile(
            "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

    private EmailAddress() {}

    public static boolean isValid(String email) {
        return email != null && email.length() <= 254 && VALID.matcher(email).matches();
    }
}
