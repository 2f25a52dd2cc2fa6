package org.cartrelay.support;

/** Logs never carry a buyer's contact data in the clear. */
public final class Masking {

    private Masking() {
    }

    /** {@code jane.doe@example.com} → {@code j***@example.com} */
    public static String email(String email) {
        if (email == null) {
            return null;
        }
        int at = email.indexOf('@');
        if (at <= 0) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(at);
    }

    /** {@code +1 512 555 0134} → {@code ***34} */
    public static String phone(String phone) {
        if (phone == null) {
            return null;
        }
        String digits = phone.replaceAll("\\D", "");
        return "***" + (digits.length() > 2 ? digits.substring(digits.length() - 2) : "");
    }
}
