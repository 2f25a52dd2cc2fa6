package org.cartrelay.connectors.webhook;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.support.StandardWebhooks;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code webhook-signature} of the key {@code secret}: one {@code whsec_…} or, during a rotation, a list of them.
 * Every secret signs, and the header holds one {@code v1,…} signature per secret, space-separated, in the file's
 * order, so a receiver that knows any one of them accepts the request. The keys are decoded once, here.
 */
final class Signatures {

    private final StandardWebhooks[] signers;

    private Signatures(StandardWebhooks[] signers) {
        this.signers = signers;
    }

    /** The secrets of the file, or null when it has none (unsigned). */
    static Signatures of(ConnectorDefinition definition) {
        JsonNode secret = definition.config().get("secret");
        if (secret == null || secret.isNull()) {
            return null;
        }
        if (!secret.isArray()) {
            return new Signatures(new StandardWebhooks[] {signer(definition, "secret", secret.asText())});
        }
        StandardWebhooks[] signers = new StandardWebhooks[secret.size()];
        for (int i = 0; i < signers.length; i++) {
            signers[i] = signer(definition, "secret[" + i + "]", secret.get(i).asText());
        }
        return new Signatures(signers);
    }

    private static StandardWebhooks signer(ConnectorDefinition definition, String key, String secret) {
        try {
            return StandardWebhooks.withSecret(secret);
        } catch (IllegalArgumentException e) {
            // the secret itself stays out of the message
            throw new ConnectorConfigException("Connector file " + definition.file() + ": key '" + key
                    + "' is not a usable Standard Webhooks secret; expected whsec_ followed by the base64 of a "
                    + "non-empty key.");
        }
    }

    String sign(String id, long timestamp, byte[] body) {
        if (signers.length == 1) {
            return signers[0].sign(id, timestamp, body);
        }
        StringBuilder header = new StringBuilder(signers.length * 48);
        for (int i = 0; i < signers.length; i++) {
            if (i > 0) {
                header.append(' ');
            }
            header.append(signers[i].sign(id, timestamp, body));
        }
        return header.toString();
    }
}
