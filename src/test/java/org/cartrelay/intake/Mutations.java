package org.cartrelay.intake;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.testing.Fixtures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Hostile variants of the fixtures, each signed with the test secrets (computed here, not by the hub) so that it
 * reaches the parsers: truncated, flipped and inserted characters, malformed %-escapes, CR/LF, huge numbers, long
 * strings, wrong types and deep nesting. One seed makes one request, so a failure is reproducible from its seed.
 */
final class Mutations {

    static final String WOO_TOKEN = "woo-test-token";
    /** The fixed "now" of the fuzzed generic intake's signatures. */
    static final long NOW = 1_795_694_400L;

    /** Floats stay decimals, so 1e999999999 is written as sent rather than as Infinity. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final String[] TOKENS = {
        "%",
        "%z",
        "%%",
        "%4",
        "%0D%0A",
        "%00",
        "\r\n",
        "\n",
        "\r",
        "&",
        "=",
        "+",
        "\u0000",
        "\u0085",
        "\u2028",
        "\uD800",
        "\uD83D\uDE00",
        "1e999999999",
        "-1e-999999999",
        "1E+2147483647",
        "99999999999999999999999",
        "NaN",
        "Infinity",
        "\"",
        "'",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "null",
        "true",
        "<script>",
        "../..",
        "@",
        "@@",
        "a@b@c",
        "::",
        "http://",
        "javascript:x",
        " ",
        "\t",
        "é",
        "0x1F",
        "-0"
    };

    private Mutations() {}

    /** One request to one intake: its path with query, headers and body. */
    record Request(String source, String target, Map<String, String> headers, byte[] body) {}

    static Request any(long seed) {
        // mixed first: java.util.Random's first draws of consecutive seeds are alike
        Random random = new Random(new java.util.SplittableRandom(seed).nextLong());
        return switch (random.nextInt(4)) {
            case 0 -> digistore24(random);
            case 1 -> shopify(random);
            case 2 -> woocommerce(random);
            default -> generic(random);
        };
    }

    static Request digistore24(Random random) {
        String fixture = pick(
                random,
                "digistore24/order-form-entry.form",
                "digistore24/on-payment.form",
                "digistore24/connection-test.form");
        List<Map.Entry<String, String>> pairs = mutatePairs(random, decode(Fixtures.form(fixture)));
        String unsigned = IntakeTestSupport.encode(pairs);
        if (random.nextInt(4) == 0) {
            unsigned = mutateText(random, unsigned);
        }
        List<Map.Entry<String, String>> decoded = tryDecode(unsigned);
        String body = decoded == null
                ? unsigned
                : unsigned + "&sha_sign=" + digistore24Signature(decoded, random.nextInt(5) == 0);
        return new Request(
                "digistore24",
                "/ipn/digistore24",
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    static Request woocommerce(Random random) {
        List<Map.Entry<String, String>> pairs =
                mutatePairs(random, decode(Fixtures.form("woocommerce/abandoned.form")));
        String body = IntakeTestSupport.encode(pairs);
        if (random.nextInt(4) == 0) {
            body = mutateText(random, body);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        String target = "/webhooks/woocommerce";
        if (random.nextBoolean()) {
            headers.put("X-CartRelay-Token", WOO_TOKEN);
            if (random.nextInt(3) == 0) {
                target += "?" + queryText(random, "x=" + token(random));
            }
        } else {
            target += "?"
                    + (random.nextInt(3) == 0
                            ? queryText(random, "token=" + WOO_TOKEN + "&y=" + token(random))
                            : "token=" + WOO_TOKEN);
        }
        return new Request("woocommerce", target, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    static Request shopify(Random random) {
        boolean order = random.nextInt(3) == 0;
        String text = jsonVariant(
                random, Fixtures.text(order ? "shopify/orders-create.json" : "shopify/checkouts-create.json"));
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(
                "X-Shopify-Topic",
                random.nextInt(10) == 0
                        ? headerText(random)
                        : order ? "orders/create" : pick(random, "checkouts/create", "checkouts/update"));
        headers.put("X-Shopify-Webhook-Id", random.nextInt(10) == 0 ? headerText(random) : "fuzz-" + random.nextLong());
        headers.put(
                "X-Shopify-Hmac-Sha256",
                java.util.Base64.getEncoder()
                        .encodeToString(hmac(Fixtures.SHOPIFY_SECRET.getBytes(StandardCharsets.UTF_8), body)));
        return new Request("shopify", "/webhooks/shopify", headers, body);
    }

    static Request generic(Random random) {
        String text = jsonVariant(random, Fixtures.text("generic/checkout-started.json"));
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        String id = random.nextInt(10) == 0 ? headerText(random) : "fuzz-" + random.nextLong();
        String timestamp = random.nextInt(12) == 0
                ? pick(
                        random,
                        "abc",
                        "99999999999999999999",
                        "-9223372036854775808",
                        "9223372036854775807",
                        " " + NOW + " ",
                        "1e9")
                : Long.toString(NOW);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", id);
        headers.put("webhook-timestamp", timestamp);
        byte[] key = java.util.Base64.getDecoder().decode(Fixtures.GENERIC_SECRET.substring("whsec_".length()));
        byte[] signed = (id + "." + timestamp.trim() + ".").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[signed.length + body.length];
        System.arraycopy(signed, 0, message, 0, signed.length);
        System.arraycopy(body, 0, message, signed.length, body.length);
        headers.put("webhook-signature", "v1," + java.util.Base64.getEncoder().encodeToString(hmac(key, message)));
        return new Request("generic", "/events", headers, body);
    }

    // --- forms

    private static List<Map.Entry<String, String>> decode(String form) {
        List<Map.Entry<String, String>> pairs = tryDecode(form);
        pairs.removeIf(pair -> pair.getKey().equalsIgnoreCase("sha_sign"));
        return pairs;
    }

    /** The form's pairs as the wire format defines them, or null when it is no valid form encoding. */
    static List<Map.Entry<String, String>> tryDecode(String form) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        try {
            for (String part : form.split("&")) {
                if (!part.isEmpty()) {
                    int eq = part.indexOf('=');
                    pairs.add(Map.entry(
                            URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8)));
                }
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return pairs;
    }

    /** Digistore24's sha_sign of these pairs (wire-formats.md), with keys as sent or upper-cased. */
    static String digistore24Signature(List<Map.Entry<String, String>> pairs, boolean upperCaseKeys) {
        List<Map.Entry<String, String>> kept = new ArrayList<>(pairs);
        kept.removeIf(pair ->
                pair.getKey().equalsIgnoreCase("sha_sign") || pair.getKey().equalsIgnoreCase("shasign"));
        String signed = IntakeTestSupport.signedForm(kept, Fixtures.DIGISTORE24_PASSPHRASE, upperCaseKeys);
        return signed.substring(signed.lastIndexOf("&sha_sign=") + "&sha_sign=".length());
    }

    private static List<Map.Entry<String, String>> mutatePairs(Random random, List<Map.Entry<String, String>> pairs) {
        List<Map.Entry<String, String>> out = new ArrayList<>(pairs);
        int changes = 1 + random.nextInt(4);
        for (int i = 0; i < changes && !out.isEmpty(); i++) {
            int at = random.nextInt(out.size());
            Map.Entry<String, String> pair = out.get(at);
            switch (random.nextInt(6)) {
                case 0 -> out.set(at, Map.entry(pair.getKey(), hostileValue(random)));
                case 1 -> out.set(at, Map.entry(pair.getKey(), mutateText(random, pair.getValue())));
                case 2 -> out.remove(at);
                case 3 ->
                    out.add(Map.entry(
                            pick(
                                    random,
                                    "quantity",
                                    "amount",
                                    "checkout_url",
                                    "order_id",
                                    "product_id",
                                    "email",
                                    "event",
                                    "order_status",
                                    "cart_total",
                                    "billing_address",
                                    "newsletter_consent",
                                    "newsletter_choice",
                                    "utm_" + random.nextInt(100),
                                    token(random)),
                            hostileValue(random)));
                case 4 -> out.set(at, Map.entry(mutateText(random, pair.getKey()), pair.getValue()));
                default -> out.add(random.nextInt(out.size() + 1), Map.entry(pair.getKey(), hostileValue(random)));
            }
        }
        return out;
    }

    // --- JSON

    private static String jsonVariant(Random random, String fixture) {
        String text;
        if (random.nextInt(4) == 0) {
            text = mutateText(random, fixture);
        } else {
            try {
                JsonNode tree = JSON.readTree(fixture);
                int changes = 1 + random.nextInt(3);
                for (int i = 0; i < changes; i++) {
                    mutateTree(random, tree);
                }
                text = JSON.writeValueAsString(tree);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (random.nextInt(5) == 0) {
                text = mutateText(random, text);
            }
        }
        return text;
    }

    /** Replaces, removes or adds one field somewhere in the tree. */
    private static void mutateTree(Random random, JsonNode root) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode container = containers.get(random.nextInt(containers.size()));
        if (container instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            int what = random.nextInt(5);
            if (names.isEmpty() || what == 0) {
                object.set(
                        pick(
                                random,
                                "type",
                                "quantity",
                                "total",
                                "price",
                                "total_price",
                                "email",
                                "id",
                                "token",
                                "extra",
                                "consent",
                                "line_items",
                                "items",
                                token(random)),
                        hostileNode(random));
            } else if (what == 1) {
                object.remove(names.get(random.nextInt(names.size())));
            } else {
                object.set(names.get(random.nextInt(names.size())), hostileNode(random));
            }
        } else if (container instanceof ArrayNode array) {
            if (array.isEmpty() || random.nextBoolean()) {
                array.add(hostileNode(random));
            } else {
                array.set(random.nextInt(array.size()), hostileNode(random));
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode()) {
            containers.add(node);
            Iterator<JsonNode> children = node.elements();
            children.forEachRemaining(child -> collect(child, containers));
        }
    }

    private static JsonNode hostileNode(Random random) {
        try {
            return switch (random.nextInt(12)) {
                case 0 ->
                    JSON.readTree(pick(
                            random,
                            "1e999999999",
                            "-1e-999999999",
                            "1E+2147483647",
                            "99999999999999999999999",
                            "2147483648",
                            "-1",
                            "0",
                            "1.5",
                            "0.00001"));
                case 1 -> NODES.textNode(hostileValue(random));
                case 2 -> NODES.arrayNode();
                case 3 -> NODES.objectNode();
                case 4 -> NODES.booleanNode(random.nextBoolean());
                case 5 -> NODES.nullNode();
                case 6 -> nested(random.nextInt(60));
                case 7 -> {
                    ArrayNode many = NODES.arrayNode();
                    int n = random.nextInt(2000);
                    for (int i = 0; i < n; i++) {
                        many.add(NODES.objectNode().put("productId", "p" + i).put("quantity", i));
                    }
                    yield many;
                }
                case 8 -> NODES.textNode("x".repeat(random.nextInt(300_000)));
                case 9 -> NODES.textNode(pick(random, "checkout.started", "order.completed", "checkout.abandoned"));
                case 10 -> NODES.textNode(pick(random, "1e999999999", "1234567890123.00", "1.00001", "-5", "12,50"));
                default -> NODES.numberNode(random.nextLong());
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode nested(int depth) {
        JsonNode node = NODES.textNode("deep");
        for (int i = 0; i < depth; i++) {
            ObjectNode parent = NODES.objectNode();
            parent.set("a", node);
            node = parent;
        }
        return node;
    }

    // --- text

    static String hostileValue(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> token(random);
            case 1 -> "x".repeat(random.nextInt(300_000));
            case 2 -> "9".repeat(1 + random.nextInt(500));
            case 3 -> "line1\r\n2026-01-01 INFO forged " + token(random);
            case 4 ->
                pick(
                        random,
                        ",",
                        ", ",
                        ",,",
                        "a,b,",
                        "88 Market St, US",
                        "not a url",
                        "https://[",
                        "ftp://x",
                        "https://woo.example.com/checkout/?wcf_ac_token=" + "t".repeat(random.nextInt(400)));
            case 5 ->
                pick(
                        random,
                        "ana@example.com",
                        "a@b@c",
                        "@example.com",
                        "x@" + "d".repeat(300) + ".com",
                        "jane.doe@example.com\r\nBcc: x@y.z");
            case 6 -> "";
            default -> mutateText(random, "Ana Silva 149.00");
        };
    }

    static String mutateText(Random random, String text) {
        String out = text;
        int changes = 1 + random.nextInt(3);
        for (int i = 0; i < changes; i++) {
            int at = out.isEmpty() ? 0 : random.nextInt(out.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> out = out.substring(0, at);
                case 1 ->
                    out = at < out.length()
                            ? out.substring(0, at) + (char) random.nextInt(0x3000) + out.substring(at + 1)
                            : out;
                case 2 -> out = out.substring(0, at) + token(random) + out.substring(at);
                case 3 -> {
                    int end = Math.min(out.length(), at + random.nextInt(50));
                    out = out.substring(0, at) + out.substring(at, end) + out.substring(at, end) + out.substring(at);
                }
                default ->
                    out = out.substring(0, at) + "%"
                            + Integer.toHexString(random.nextInt(512)).toUpperCase(Locale.ROOT) + out.substring(at);
            }
        }
        return out;
    }

    /** Text for a query string: %-escapes and all, but only characters an HTTP request line can carry. */
    private static String queryText(Random random, String text) {
        String mutated = mutateText(random, text);
        StringBuilder out = new StringBuilder();
        for (char c : mutated.toCharArray()) {
            boolean plain = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0);
            out.append(plain ? String.valueOf(c) : URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** A header value: printable ASCII, but hostile in length and content. */
    private static String headerText(Random random) {
        String value = pick(
                random,
                "x".repeat(random.nextInt(4000)),
                "../../etc",
                "%0D%0A",
                "1e999999999",
                "checkouts/create" + "x".repeat(random.nextInt(400)),
                "a b c");
        return value.isEmpty() ? "x" : value;
    }

    private static String token(Random random) {
        return TOKENS[random.nextInt(TOKENS.length)];
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Statuses a refusal of this source may have (docs/sources.md). */
    static java.util.Set<Integer> refusals(String source) {
        Map<String, java.util.Set<Integer>> statuses = new HashMap<>();
        statuses.put("digistore24", java.util.Set.of(400, 403, 413));
        statuses.put("shopify", java.util.Set.of(400, 401, 413));
        statuses.put("woocommerce", java.util.Set.of(400, 401, 413));
        statuses.put("generic", java.util.Set.of(400, 401, 413, 422));
        return statuses.get(source);
    }
}
