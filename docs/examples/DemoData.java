import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and posts a realistic mix of notices to a running hub, so that its admin page and connectors show
 * something real: buyers in several countries and currencies, named products, an EU buyer without consent, a
 * repeat abandoner, a high-value cart, one buyer who pays at once and some who come back and pay after their
 * checkout was abandoned.
 *
 * <pre>
 * java docs/examples/DemoData.java [--hub http://localhost:8080] [--wait 15s]
 * </pre>
 *
 * It posts through the generic source ({@code POST /events}, Standard Webhooks signature) and the Digistore24 one
 * ({@code POST /ipn/digistore24}, {@code sha_sign}), with the secrets of the environment variables the hub reads
 * ({@code CARTRELAY_SOURCES_GENERIC_SECRET}, {@code CARTRELAY_SOURCES_DIGISTORE24_PASSPHRASE}) or, unset, the demo
 * values README starts the hub with. A source the hub has not enabled (404) is skipped with a note. {@code --wait}
 * is how long it waits before the payments that recover abandoned checkouts: the hub's abandonment delay and a
 * few seconds more. Every run uses new checkout ids, so it can be run again.
 */
public class DemoData {

    static final String DEMO_GENERIC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String DEMO_DIGISTORE24_PASSPHRASE = "fixture-passphrase-1";

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI hub;
    private final byte[] genericKey;
    private final String passphrase;
    /** Makes this run's checkout and notification ids differ from an earlier run's. */
    private final String run = Long.toString(System.currentTimeMillis() / 1000 % 10_000_000, 36);

    private boolean genericEnabled = true;
    private boolean digistore24Enabled = true;
    private int accepted;

    DemoData(URI hub, String genericSecret, String passphrase) {
        this.hub = hub;
        this.genericKey = Base64.getDecoder().decode(genericSecret.substring(genericSecret.indexOf('_') + 1));
        this.passphrase = passphrase;
    }

    public static void main(String[] args) throws Exception {
        URI hub = URI.create("http://localhost:8080");
        Duration wait = Duration.ofSeconds(15);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--hub" -> hub = URI.create(value(args, ++i));
                case "--wait" -> wait = Duration.parse("PT" + value(args, ++i).toUpperCase(Locale.ROOT));
                default -> {
                    System.err.println("usage: java docs/examples/DemoData.java [--hub URL] [--wait 15s]");
                    System.exit(2);
                }
            }
        }
        DemoData demo = new DemoData(
                hub,
                env("CARTRELAY_SOURCES_GENERIC_SECRET", DEMO_GENERIC_SECRET),
                env("CARTRELAY_SOURCES_DIGISTORE24_PASSPHRASE", DEMO_DIGISTORE24_PASSPHRASE));
        demo.startCheckouts();
        System.out.printf("Waiting %ds for the hub to abandon them…%n", wait.toSeconds());
        Thread.sleep(wait.toMillis());
        demo.comeBack();
        System.out.printf("%d notices accepted by %s. Open %s/admin/ to see them.%n", demo.accepted, hub, hub);
        if (demo.accepted == 0) {
            System.exit(1);
        }
    }

    /** Everyone opens a checkout; one buyer pays at once. */
    void startCheckouts() throws Exception {
        started("anna", "anna.schmidt@example.de", "Anna", "Schmidt", "DE", "de", true, "EUR",
                item("barista-pro", "Espresso Machine Barista Pro", 1, "349.00"),
                item("milk-frother", "Milk Frother", 1, "39.90"));
        started("luc", "luc.martin@example.fr", "Luc", "Martin", "FR", "fr", false, "EUR",
                item("linen-bedding", "Linen Bedding Set", 1, "89.00"));
        started("sam-1", "sam.taylor@example.co.uk", "Sam", "Taylor", "GB", "en", true, "GBP",
                item("trail-shoes", "Trail Running Shoes", 1, "120.00"));
        started("olivia", "olivia.chen@example.com", "Olivia", "Chen", "US", "en", true, "USD",
                item("camera-kit-4k", "4K Cinema Camera Kit", 1, "2499.00"),
                item("sd-card-256", "256 GB SD Card", 2, "59.00"));
        started("noah", "noah.johnson@example.com", "Noah", "Johnson", "US", "en", true, "USD",
                item("yoga-mat", "Yoga Mat", 1, "45.00"));
        started("mia", "mia.rossi@example.it", "Mia", "Rossi", "IT", "it", true, "EUR",
                item("leather-tote", "Leather Tote Bag", 1, "189.00"));
        started("liam", "liam.brown@example.ca", "Liam", "Brown", "CA", "en", null, "CAD",
                item("winter-parka", "Winter Parka", 1, "329.00"));
        started("emma", "emma.mueller@example.ch", "Emma", "Müller", "CH", "de", true, "CHF",
                item("chocolate-box", "Swiss Chocolate Box", 3, "19.50"));
        digistore24("DS" + run + "A", "order_form_data_entered", "512345", "Video Course Pro", "USD", "197.00",
                "jane.doe@example.com", "Jane", "Doe", "US", "yes");
        digistore24("DS" + run + "B", "order_form_data_entered", "512399", "Marketing Masterclass", "EUR", "497.00",
                "jonas.weber@example.de", "Jonas", "Weber", "DE", "yes");
        // pays before the hub gives the checkout up: converted, nothing is sent
        completed("noah", "45.00");
    }

    /** After the abandonment delay: some buyers pay after all, and one abandons a second cart. */
    void comeBack() throws Exception {
        completed("anna", "388.90");
        completed("mia", "189.00");
        completed("emma", "58.50");
        digistore24("DS" + run + "B", "on_payment", "512399", "Marketing Masterclass", "EUR", "497.00",
                "jonas.weber@example.de", "Jonas", "Weber", "DE", "yes");
        started("sam-2", "sam.taylor@example.co.uk", "Sam", "Taylor", "GB", "en", true, "GBP",
                item("trail-shoes", "Trail Running Shoes", 1, "120.00"),
                item("running-socks", "Running Socks (3 pack)", 1, "18.00"));
    }

    private void started(String cart, String email, String first, String last, String country, String language,
            Boolean consent, String currency, Line... lines) throws Exception {
        BigDecimal total = Arrays.stream(lines).map(Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        String json = """
                {"type": "checkout.started", "source": "demo-shop", "sourceEventId": "%s-started",
                 "checkout": {"id": "%s", "currency": "%s", "total": "%s",
                              "resumeUrl": "https://shop.example.com/checkout/%s", "items": [%s]},
                 "customer": {"email": "%s", "firstName": "%s", "lastName": "%s", "language": "%s",
                              "address": {"country": "%s"}}%s}
                """.formatted(cartId(cart), cartId(cart), currency, total.toPlainString(), cartId(cart),
                String.join(", ", Arrays.stream(lines).map(Line::json).toList()), email, first, last, language,
                country, consent == null ? "" : ", \"consent\": {\"newsletter\": " + consent + "}");
        generic(cart + " (" + currency + " " + total.toPlainString() + ")", json);
    }

    private void completed(String cart, String total) throws Exception {
        String json = """
                {"type": "order.completed", "source": "demo-shop", "sourceEventId": "%s-paid",
                 "checkout": {"id": "%s", "total": "%s"}, "order": {"id": "order-%s"}}
                """.formatted(cartId(cart), cartId(cart), total, cartId(cart));
        generic(cart + " paid", json);
    }

    private String cartId(String cart) {
        return "demo-" + run + "-" + cart;
    }

    /** A line of a cart. */
    record Line(String productId, String name, int quantity, String unitPrice) {

        BigDecimal amount() {
            return new BigDecimal(unitPrice).multiply(BigDecimal.valueOf(quantity));
        }

        String json() {
            return """
                    {"productId": "%s", "name": "%s", "quantity": %d, "unitPrice": "%s"}"""
                    .formatted(productId, name, quantity, unitPrice);
        }
    }

    private static Line item(String productId, String name, int quantity, String unitPrice) {
        return new Line(productId, name, quantity, unitPrice);
    }

    /** Posts a canonical event with Standard Webhooks headers. */
    private void generic(String what, String json) throws Exception {
        if (!genericEnabled) {
            return;
        }
        String id = "msg_" + run + "_" + Integer.toHexString(json.hashCode());
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(genericKey, "HmacSHA256"));
        String signature = "v1," + Base64.getEncoder()
                .encodeToString(mac.doFinal((id + "." + timestamp + "." + json).getBytes(StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/events"))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                .build();
        genericEnabled = send("generic", what, request);
    }

    /** Posts a Digistore24 IPN, signed with the passphrase. */
    private void digistore24(String order, String event, String product, String productName, String currency,
            String amount, String email, String first, String last, String country, String newsletter)
            throws Exception {
        if (!digistore24Enabled) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("event", event);
        fields.put("ipn_version", "1.6");
        fields.put("api_mode", "test");
        fields.put("order_id", order);
        fields.put("order_date_time", LocalDateTime.now(ZoneId.of("Europe/Berlin"))
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")));
        fields.put("product_id", product);
        fields.put("product_name", productName);
        fields.put("currency", currency);
        fields.put("amount", amount);
        fields.put("email", email);
        fields.put("address_first_name", first);
        fields.put("address_last_name", last);
        fields.put("address_country", country);
        fields.put("newsletter_choice", newsletter);
        fields.put("is_gdpr_country", "DE".equals(country) ? "Y" : "N");
        List<Map.Entry<String, String>> sorted = new ArrayList<>(fields.entrySet());
        sorted.sort((a, b) -> Arrays.compareUnsigned(
                a.getKey().getBytes(StandardCharsets.UTF_8), b.getKey().getBytes(StandardCharsets.UTF_8)));
        StringBuilder signed = new StringBuilder();
        sorted.forEach(e -> signed.append(e.getKey()).append('=').append(e.getValue()).append(passphrase));
        fields.put("sha_sign", HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512")
                .digest(signed.toString().getBytes(StandardCharsets.UTF_8))));
        StringBuilder body = new StringBuilder();
        fields.forEach((key, value) -> body.append(body.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(key, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(hub.resolve("/ipn/digistore24"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        digistore24Enabled = send("digistore24", productName + " " + event, request);
    }

    /** @return false when the source is not enabled on the hub, so its other notices are skipped */
    private boolean send(String source, String what, HttpRequest request) throws Exception {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            System.err.println("No hub answers at " + hub + ": start it first (README, \"See a delivery happen\").");
            System.exit(1);
            return false;
        }
        int status = response.statusCode();
        if (status == 404) {
            System.out.printf("%-12s not enabled on the hub (404): its notices are skipped%n", source);
            return false;
        }
        if (status / 100 != 2) {
            throw new IllegalStateException(source + " " + what + ": " + status + " " + response.body());
        }
        accepted++;
        System.out.printf("%-12s %-46s %d%n", source, what, status);
        return true;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
