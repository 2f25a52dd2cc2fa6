package org.cartrelay.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Logs show the first character and the domain of a valid address, and nothing of an invalid one. */
class MaskingTest {

    @Test
    void aValidAddressKeepsItsFirstCharacterAndDomain() {
        assertThat(Masking.email("jane.doe@example.com")).isEqualTo("j***@example.com");
        assertThat(Masking.email(null)).isNull();
    }

    @Test
    void anInvalidAddressShowsNothing() {
        assertThat(Masking.email("ana@secret@evil.example")).isEqualTo("***");
        assertThat(Masking.email("x@example.com\r\nforged line")).isEqualTo("***");
        assertThat(Masking.email("no-at-sign")).isEqualTo("***");
        assertThat(Masking.email("@example.com")).isEqualTo("***");
        assertThat(Masking.email("a@" + "b".repeat(300) + ".com")).isEqualTo("***");
    }

    @Test
    void addressesInTextAreMaskedAsOneAddressIs() {
        assertThat(Masking.emailsIn("409: contact jane.doe@example.com already exists."))
                .isEqualTo("409: contact j***@example.com already exists.");
        assertThat(Masking.emailsIn("to <sam@shop.example.org>, cc li@x.example"))
                .isEqualTo("to <s***@shop.example.org>, cc l***@x.example");
        assertThat(Masking.emailsIn("bad jane@localhost here")).isEqualTo("bad *** here");
        assertThat(Masking.emailsIn(null)).isNull();
        assertThat(Masking.emailsIn("no address")).isEqualTo("no address");
    }
}
