package org.cartrelay.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Standard Webhooks signing and verifying: a header may carry several space-separated signatures (a sender in the
 * middle of a key rotation), and verifying accepts it when any one of them matches, wherever it stands.
 */
class StandardWebhooksTest {

    private static final String OLD = "whsec_c2lnbmluZy1rZXktZm9yLXRoZS13ZWJob29rLXRlc3Q=";
    private static final String NEW = "whsec_dGhlLW5leHQtc2lnbmluZy1rZXktb2YtdGhlLXJvdGF0aW9u";
    private static final String OTHER = "whsec_YS1rZXktbm8tY29ubmVjdG9yLXNpZ25zLXdpdGg=";
    private static final byte[] BODY = "{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);

    private static String sign(String secret) {
        return StandardWebhooks.withSecret(secret).sign("evt_1", 1_700_000_000L, BODY);
    }

    private static boolean verify(String secret, String header) {
        return StandardWebhooks.withSecret(secret).verify("evt_1", 1_700_000_000L, BODY, header);
    }

    @Test
    void aHeaderWithSeveralSignaturesVerifiesWhenAnyOneMatches() {
        String rotation = sign(OLD) + " " + sign(NEW);

        assertThat(verify(OLD, rotation)).isTrue();
        assertThat(verify(NEW, rotation)).isTrue();
        assertThat(verify(NEW, sign(NEW) + " " + sign(OLD))).isTrue();
        assertThat(verify(OTHER, rotation)).isFalse();
    }

    @Test
    void otherVersionsAndMalformedEntriesAreSkippedNotFatal() {
        assertThat(verify(NEW, "v2,abc  v1,not-base64!  " + sign(NEW))).isTrue();
        assertThat(verify(NEW, "v2," + sign(NEW).substring(3))).isFalse();
        assertThat(verify(NEW, "")).isFalse();
        assertThat(verify(NEW, null)).isFalse();
    }

    @Test
    void aSignatureCoversTheIdTheTimestampAndTheBody() {
        StandardWebhooks signer = StandardWebhooks.withSecret(NEW);
        String header = signer.sign("evt_1", 1_700_000_000L, BODY);

        assertThat(header).startsWith("v1,").doesNotContain(" ");
        assertThat(signer.verify("evt_2", 1_700_000_000L, BODY, header)).isFalse();
        assertThat(signer.verify("evt_1", 1_700_000_001L, BODY, header)).isFalse();
        assertThat(signer.verify("evt_1", 1_700_000_000L, "{}".getBytes(StandardCharsets.UTF_8), header))
                .isFalse();
    }

    @Test
    void aSecretThatIsNotBase64IsRefused() {
        assertThatThrownBy(() -> StandardWebhooks.withSecret("whsec_A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a Standard Webhooks secret must be 'whsec_' followed by base64");
    }
}
