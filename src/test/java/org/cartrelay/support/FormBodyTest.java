package org.cartrelay.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FormBodyTest {

    @Test
    void onlyWhatIsFilledInCounts() {
        FormBody form = FormBody.parse("a=+x+&b=&c=%01&d=%20%09&e=%E2%80%83");
        assertThat(form.get("a")).isEqualTo("x");
        assertThat(form.get("b")).isNull();
        // a control character alone is trimmed away, not kept as an empty value
        assertThat(form.get("c")).isNull();
        assertThat(form.get("d")).isNull();
        assertThat(form.get("e")).isNull();
    }

    @Test
    void aMalformedEscapeNamesThePairButNotTheBytes() {
        assertThatThrownBy(() -> FormBody.parse("a=1&secret=%zz"))
                .isInstanceOf(FormBody.MalformedException.class)
                .hasMessageContaining("pair 2")
                .hasMessageNotContaining("secret")
                .hasMessageNotContaining("%zz");
    }
}
