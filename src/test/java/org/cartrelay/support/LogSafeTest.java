package org.cartrelay.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void controlCharactersAreEscaped() {
        assertThat(LogSafe.line("a\r\nb")).isEqualTo("a\\r\\nb");
        assertThat(LogSafe.line("a\u0085b\u2028c\u001b[31m")).isEqualTo("a\\u0085b\\u2028c\\u001b[31m");
        assertThat(LogSafe.line("tab\tstays")).isEqualTo("tab\tstays");
        assertThat(LogSafe.line("plain")).isSameAs("plain");
    }

    @Test
    void longTextIsCut() {
        assertThat(LogSafe.value("x".repeat(500))).isEqualTo("x".repeat(200) + "…(300 more)");
        assertThat(LogSafe.line("y".repeat(LogSafe.MAX_LINE + 1))).endsWith("…(1 more)");
        // escaping comes after the cut, so it cannot push a value past what was cut
        assertThat(LogSafe.value("\n".repeat(300))).startsWith("\\n").endsWith("…(100 more)");
    }
}
