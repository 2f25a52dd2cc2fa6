package org.cartrelay.intake;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.cartrelay.testing.TestHub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Helpers shared by the intake tests: stored notices, and Digistore24 forms signed independently of src/main. */
public final class IntakeTestSupport {

    public static final ObjectMapper JSON = new ObjectMapper();

    private IntakeTestSupport() {}

    /** One row of table {@code notice}. */
    public record StoredNotice(
            String id,
            String source,
            String sourceEventId,
            String eventType,
            String email,
            String rawBody,
            String canonical,
            String outcome,
            String reason) {

        public JsonNode canonicalJson() {
            try {
                return JSON.readTree(canonical);
            } catch (Exception e) {
                throw new AssertionError("canonical is not JSON: " + canonical, e);
            }
        }
    }

    /** The columns of a {@link StoredNotice}, in its order. */
    public static final String NOTICE_COLUMNS =
            "id, source, source_event_id, event_type, email, raw_body, canonical, outcome, reason";

    public static StoredNotice storedNotice(ResultSet rs, int row) throws SQLException {
        return new StoredNotice(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9));
    }

    public static Optional<StoredNotice> notice(TestHub hub, String source, String sourceEventId) {
        return hub.jdbc()
                .sql("select " + NOTICE_COLUMNS + " from notice where source = ? and source_event_id = ?")
                .params(source, sourceEventId)
                .query(IntakeTestSupport::storedNotice)
                .optional();
    }

    public static long notices(TestHub hub, String source, String sourceEventId) {
        return hub.count("select count(*) from notice where source = ? and source_event_id = ?", source, sourceEventId);
    }

    public static long noticesLike(TestHub hub, String sourceEventIdPattern) {
        return hub.count("select count(*) from notice where source_event_id like ?", sourceEventIdPattern);
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /**
     * A form body with a {@code sha_sign} computed here from wire-formats.md, not with the hub's own code: drop
     * sha_sign and empty values, sort keys by byte order, {@code KEY=VALUE<passphrase>} each, SHA-512, upper hex.
     */
    public static String signedForm(List<Map.Entry<String, String>> pairs, String passphrase, boolean upperCaseKeys) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> pair : pairs) {
            if (!pair.getValue().isEmpty()) {
                kept.add(Map.entry(
                        upperCaseKeys ? pair.getKey().toUpperCase(Locale.ROOT) : pair.getKey(), pair.getValue()));
            }
        }
        kept.sort((a, b) -> java.util.Arrays.compareUnsigned(
                a.getKey().getBytes(StandardCharsets.UTF_8), b.getKey().getBytes(StandardCharsets.UTF_8)));
        StringBuilder text = new StringBuilder();
        kept.forEach(pair ->
                text.append(pair.getKey()).append('=').append(pair.getValue()).append(passphrase));
        String signature;
        try {
            signature = HexFormat.of()
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-512")
                            .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return encode(pairs) + "&sha_sign=" + signature;
    }

    public static String encode(List<Map.Entry<String, String>> pairs) {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> pair : pairs) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(pair.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(pair.getValue(), StandardCharsets.UTF_8));
        }
        return body.toString();
    }
}
