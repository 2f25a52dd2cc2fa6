package org.cartrelay.reports;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page in a real headless Chromium (Debian's {@code chromium} and its {@code chromedriver}): sign in on
 * the form, filter the carts by email, download the CSV and read its rows, replay a dead letter once its
 * receiver is fixed, until the page shows it delivered, and add and remove an unsubscribed address. Outside CI the test is skipped, with a notice, when the
 * browser is not installed; in CI ({@code CI=true}) it must run, and {@code .ci/run} installs the browser.
 */
class AdminPageBrowserTest {

    private static final String CHROMIUM = System.getProperty("cartrelay.test.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER =
            System.getProperty("cartrelay.test.chromedriver", "/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock -> wireMock.stubFor(
            post(urlEqualTo("/in")).willReturn(aResponse().withStatus(400).withBody("{\"error\":\"unknown list\"}"))));

    private TestHub hub;
    private Path downloads;
    private WebDriver browser;

    @BeforeEach
    void setUp() throws IOException {
        requireBrowser();
        hub = TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .connector("crm", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/in
                        retry: {maxAttempts: 2, initialDelay: 100ms, maxDelay: 1s}
                        """.formatted(receiver.getPort()))
                .start();
        downloads = Files.createTempDirectory("cartrelay-downloads");
        browser = startBrowser(downloads);
    }

    @AfterEach
    void tearDown() throws Exception {
        Teardown.inOrder(browser == null ? null : browser::quit, hub);
    }

    private static void requireBrowser() {
        if (Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER))) {
            return;
        }
        String message = "Chromium (" + CHROMIUM + ") or chromedriver (" + CHROMEDRIVER + ") is not installed";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + "; CI must run the browser test (.ci/run installs them)");
        }
        Assumptions.abort(
                message + " (apt-get install chromium chromium-driver); the browser test is skipped " + "outside CI");
    }

    private static WebDriver startBrowser(Path downloads) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,1200",
                "--user-data-dir=" + Files.createTempDirectory("cartrelay-chromium"));
        options.setExperimentalOption(
                "prefs",
                Map.of("download.default_directory", downloads.toString(), "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private void started(String key, String email, String firstName, String product) {
        String json = """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", "orderFormId": "f1", "currency": "EUR", "total": "19.00",
                              "items": [{"productId": "%s", "name": "Tea", "quantity": 1, "unitPrice": "19.00"}]},
                 "customer": {"email": "%s", "firstName": "%s", "lastName": "Buyer", "address": {"country": "US"}},
                 "consent": {"newsletter": true}}
                """.formatted(key, key, product, email, firstName);
        HttpResponse<String> response = Notices.post(hub, key, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, PATIENCE);
    }

    @Test
    void anAdminSignsInFiltersByEmailDownloadsTheCsvAndReplaysADeadLetterUntilDelivered() throws Exception {
        started("ann1", "ann@example.com", "Ann", "p-tea");
        // Ann's second cart after her first was abandoned: while the first is pending it would supersede it (a burst)
        await().atMost(PATIENCE)
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-ann1' and status = 'abandoned'")
                        == 1);
        started("ann2", "ann@example.com", "=1+2", "p-mug");
        started("bob", "bob@example.com", "Bob", "p-tea");
        await().atMost(PATIENCE).until(() -> hub.count("select count(*) from delivery where status = 'dead'") == 3);

        // signing in: the page sends an anonymous browser to the login form
        browser.get(hub.uri("/admin/").toString());
        waiting().until(ExpectedConditions.urlContains("/admin/login.html"));
        waiting().until(ExpectedConditions.elementToBeClickable(By.id("sign-in")));
        browser.findElement(By.id("username")).sendKeys("ops");
        browser.findElement(By.id("password")).sendKeys("s3cret-ops");
        browser.findElement(By.id("sign-in")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("carts-info"), "1–3 of 3"));
        assertThat(browser.getCurrentUrl()).endsWith("/admin/");

        // the per-product figures and their chart
        waiting()
                .until(driver ->
                        driver.findElements(By.cssSelector("#products-body tr")).size() == 2);
        assertThat(browser.findElements(By.cssSelector("#stats-chart rect.abandoned")))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(browser.findElement(By.id("products-body")).getText()).contains("p-tea", "p-mug");

        // filtering by email
        browser.findElement(By.id("filter-email")).sendKeys("ann@example.com");
        browser.findElement(By.id("apply-filters")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("carts-info"), "1–2 of 2"));
        List<String> emails = browser.findElements(By.cssSelector("#carts-body tr.cart td.email")).stream()
                .map(WebElement::getText)
                .toList();
        assertThat(emails).containsExactly("ann@example.com", "ann@example.com");

        // the CSV download has the filtered rows, with the formula neutralised
        browser.findElement(By.id("csv-download")).click();
        Path csv = downloads.resolve("carts.csv");
        await().atMost(PATIENCE)
                .until(() -> Files.exists(csv) && !Files.exists(downloads.resolve("carts.csv.crdownload")));
        List<String> lines =
                List.of(Files.readString(csv, StandardCharsets.UTF_8).split("\r\n"));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("id,source,checkout_id,email,first_name,");
        assertThat(lines.subList(1, 3)).allSatisfy(line -> assertThat(line).contains(",ann@example.com,"));
        assertThat(lines.subList(1, 3))
                .anySatisfy(line -> assertThat(line).contains(",cart-ann2,ann@example.com,'=1+2,"));
        assertThat(lines.subList(1, 3))
                .anySatisfy(line -> assertThat(line).contains(",cart-ann1,ann@example.com,Ann,"));

        // replaying Bob's dead letter once the receiver accepts it
        receiver.resetAll();
        receiver.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));
        By bobsRow = By.xpath("//tbody[@id='dead-letters-body']/tr[td[@class='email'][text()='bob@example.com']]");
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#dead-letters-body tr"), 3));
        browser.findElement(bobsRow)
                .findElement(By.cssSelector("button.replay"))
                .click();
        waiting()
                .until(driver -> driver.findElement(bobsRow)
                        .findElement(By.cssSelector(".replay-status"))
                        .getText()
                        .equals("delivered"));
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/in"))
                        .withRequestBody(matchingJsonPath("$.customer.email", equalTo("bob@example.com")))))
                .hasSize(1);
        assertThat(hub.count("select count(*) from delivery where replay_of is not null and status = 'delivered'"))
                .isEqualTo(1);
        assertThat(hub.count("select count(*) from delivery where status = 'dead'"))
                .isEqualTo(2);

        // the suppression list: an address added with the form is listed masked, and taken off again
        browser.findElement(By.id("suppression-email")).sendKeys("ann@example.com");
        browser.findElement(By.id("suppression-reason")).sendKeys("asked by phone");
        browser.findElement(By.id("suppression-add")).click();
        waiting()
                .until(driver -> driver.findElements(By.cssSelector("#suppressions-body tr.suppression"))
                                .size()
                        == 1);
        assertThat(browser.findElement(By.cssSelector("#suppressions-body tr.suppression"))
                        .getText())
                .contains("a***@example.com", "api", "asked by phone")
                .doesNotContain("ann@example.com");
        assertThat(hub.count("select count(*) from suppression where email = 'ann@example.com'"))
                .isEqualTo(1);
        browser.findElement(By.id("suppression-email")).sendKeys("ann@example.com");
        browser.findElement(By.id("suppression-remove")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("suppressions-empty")));
        assertThat(hub.count("select count(*) from suppression")).isZero();
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
    }
}
