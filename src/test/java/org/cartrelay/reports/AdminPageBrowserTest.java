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
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import javax.management.JMX;
import javax.management.ObjectName;

import org.cartrelay.cluster.HubInstance;
import org.cartrelay.ops.ConnectorControlMBean;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page in a real headless Chromium (Debian's {@code chromium} and its {@code chromedriver}): sign in on
 * the form, filter the carts by email, download the CSV and read its rows, replay a dead letter once its receiver is
 * fixed, until the page shows it delivered, and add and remove an unsubscribed address; read the headline figures
 * against the carts posted, see each cart's fate per connector, pause and resume a connector from the page
 * (confirmed) while the hub and JMX agree, and save full-page screenshots at 1400 and 390 px under
 * {@code target/admin-screenshots/} for a person to look at; the page never scrolls sideways at 390 or 360 px, and
 * the browser's console has no errors. Outside CI the test is skipped, with a notice, when the browser is not
 * installed; in CI ({@code CI=true}) it must run, and {@code .ci/run} installs the browser.
 */
class AdminPageBrowserTest {

    private static final String CHROMIUM = System.getProperty("cartrelay.test.chromium", "/usr/bin/chromium");
    private static final String CHROMEDRIVER =
            System.getProperty("cartrelay.test.chromedriver", "/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock -> {
        wireMock.stubFor(post(urlEqualTo("/in"))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":\"unknown list\"}")));
        wireMock.stubFor(post(urlEqualTo("/mail")).willReturn(aResponse().withStatus(200)));
    });

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
                .connector("mail", receiver.webhook("/mail") + "requireConsent: true\n")
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
                "--lang=en-US",
                "--user-data-dir=" + Files.createTempDirectory("cartrelay-chromium"));
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
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
        started(key, email, firstName, product, "19.00", "US", true);
    }

    private void started(
            String key, String email, String firstName, String product, String total, String country, boolean consent) {
        String json = """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", "orderFormId": "f1", "currency": "EUR", "total": "%s",
                              "items": [{"productId": "%s", "name": "Tea", "quantity": 1, "unitPrice": "%s"}]},
                 "customer": {"email": "%s", "firstName": "%s", "lastName": "Buyer", "address": {"country": "%s"}},
                 "consent": {"newsletter": %s}}
                """.formatted(key, key, total, product, total, email, firstName, country, consent);
        HttpResponse<String> response = Notices.post(hub, key, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private void paid(String key, String total) {
        String json = """
                {"type": "order.completed", "source": "test-shop", "sourceEventId": "order-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "%s"}, "order": {"id": "ord-%s"}}
                """.formatted(key, key, total, key);
        HttpResponse<String> response = Notices.post(hub, "order-" + key, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private void signIn() {
        browser.get(hub.uri("/admin/").toString());
        waiting().until(ExpectedConditions.urlContains("/admin/login.html"));
        waiting().until(ExpectedConditions.elementToBeClickable(By.id("sign-in")));
        browser.findElement(By.id("username")).sendKeys("ops");
        browser.findElement(By.id("password")).sendKeys("s3cret-ops");
        browser.findElement(By.id("sign-in")).click();
        waiting().until(ExpectedConditions.urlToBe(hub.uri("/admin/").toString()));
    }

    private WebDriverWait waiting() {
        // the page replaces its rows as it reloads them
        return (WebDriverWait) new WebDriverWait(browser, PATIENCE).ignoring(StaleElementReferenceException.class);
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
        await().atMost(PATIENCE).until(() -> hub.count("select count(*) from delivery where status = 'pending'") == 0);

        // signing in: the page sends an anonymous browser to the login form
        signIn();
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
        assertNoConsoleErrors();
    }

    @Test
    void theOverviewShowsWhatWasPostedAndAConnectorIsPausedAndResumedFromThePage() throws Exception {
        started("tea", "tea@example.com", "Tia", "p-tea", "19.00", "US", true);
        started("mug", "mug@example.com", "Mo", "p-mug", "30.00", "DE", false);
        started("cup", "cup@example.com", "Cy", "p-cup", "11.50", "US", true);
        await().atMost(PATIENCE)
                .until(() -> hub.count("select count(*) from checkout where status = 'abandoned'") == 3);
        paid("tea", "19.00");
        await().atMost(PATIENCE)
                .until(() -> hub.count("select count(*) from checkout where status = 'recovered'") == 1);
        await().atMost(PATIENCE).until(() -> hub.count("select count(*) from delivery where status = 'pending'") == 0);

        signIn();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#tile-abandoned .value"), "3"));
        assertThat(tile("recovered")).isEqualTo("1");
        assertThat(tile("rate")).isEqualTo("33.3 %");
        assertThat(tile("revenue")).isEqualTo("€19.00");
        // the mug's 30.00 and the cup's 11.50 are abandoned and not recovered
        assertThat(tile("open")).isEqualTo("€41.50");
        long charted = browser.findElements(By.cssSelector("#days-chart rect.abandoned")).stream()
                .mapToLong(bar -> Long.parseLong(bar.getAttribute("data-count")))
                .sum();
        assertThat(charted).isEqualTo(3);

        // per cart, per connector: the EU buyer without consent is suppressed everywhere, with the reason
        By mugChips = By.xpath("//tr[td[@class='email'][text()='mug@example.com']]//li[contains(@class, 'chip')]");
        waiting().until(ExpectedConditions.numberOfElementsToBe(mugChips, 2));
        assertThat(browser.findElements(mugChips))
                .extracting(WebElement::getText)
                .containsExactlyInAnyOrder(
                        "crm: suppressed (EU buyer without consent)", "mail: suppressed (EU buyer without consent)");
        By cupChips = By.xpath("//tr[td[@class='email'][text()='cup@example.com']]//li[contains(@class, 'chip')]");
        assertThat(browser.findElements(cupChips))
                .extracting(WebElement::getText)
                .containsExactlyInAnyOrder("crm: dead (HTTP 400)", "mail: sent");
        assertThat(browser.findElement(By.xpath("//tr[td[@class='email'][text()='cup@example.com']]"))
                        .getText())
                .contains("Tea p-cup");
        WebElement started = browser.findElement(By.cssSelector("#carts-body tr.cart td.time time"));
        assertThat(started.getAttribute("title")).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
        assertThat(started.getText()).doesNotContain("T").doesNotEndWith("Z");

        // the connectors view: pause from the page, confirmed; the hub and JMX agree; resume from the keyboard
        By mailState = By.cssSelector("#connector-mail .state .chip");
        waiting().until(ExpectedConditions.attributeToBe(mailState, "data-state", "ok"));
        assertThat(browser.findElement(By.cssSelector("#connector-crm .dead")).getText())
                .isEqualTo(Long.toString(hub.count("select count(*) from delivery where status = 'dead'")));
        // the instances on the database: this hub, running
        String self = hub.bean(HubInstance.class).id();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#instance-" + self + " td.state"), "running"));
        assertThat(browser.findElement(By.cssSelector("#instance-" + self)).getText())
                .contains("this one");
        screenshot("admin-1400.png", 1400);
        browser.findElement(By.cssSelector("#connector-mail button.pause")).click();
        assertThat(waiting().until(ExpectedConditions.alertIsPresent()).getText())
                .startsWith("Pause mail?");
        browser.switchTo().alert().accept();
        waiting().until(ExpectedConditions.attributeToBe(mailState, "data-state", "paused"));
        assertThat(browser.findElement(mailState).getText()).isEqualTo("paused");
        ConnectorControlMBean jmx = JMX.newMBeanProxy(
                ManagementFactory.getPlatformMBeanServer(),
                new ObjectName("cartrelay:type=Connector,name=mail"),
                ConnectorControlMBean.class);
        assertThat(jmx.isPaused()).isTrue();
        screenshot("admin-connectors-paused-390.png", 390, "#connectors");
        assertThat(TestHub.send(HttpRequest.newBuilder(hub.uri("/api/connectors/mail"))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(
                                                                "ops:s3cret-ops".getBytes(StandardCharsets.UTF_8))))
                        .body())
                .contains("\"state\":\"paused\"");
        // the page moved the focus to the connector's first button, now Resume
        WebElement focused = browser.switchTo().activeElement();
        assertThat(focused.getText()).isEqualTo("Resume");
        focused.sendKeys(Keys.ENTER);
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        waiting().until(ExpectedConditions.attributeToBe(mailState, "data-state", "ok"));
        assertThat(jmx.isPaused()).isFalse();

        // a dead letter shows its attempts with the answer's stored slice
        WebElement attempts = browser.findElement(By.cssSelector("#dead-letters-body tr.dead-letter details.attempts"));
        attempts.findElement(By.tagName("summary")).click();
        assertThat(attempts.getText()).contains("HTTP 400", "{\"error\":\"unknown list\"}");

        // a replay that dies again keeps a button of its own
        By cupsLetter = By.xpath("//tbody[@id='dead-letters-body']/tr[td[@class='email'][text()='cup@example.com']]");
        browser.findElement(cupsLetter)
                .findElement(By.cssSelector("button.replay"))
                .click();
        waiting()
                .until(driver -> driver.findElement(cupsLetter)
                        .findElement(By.cssSelector(".replay-status"))
                        .getText()
                        .equals("dead"));
        assertThat(browser.findElement(cupsLetter)
                        .findElement(By.cssSelector("button.replay"))
                        .getText())
                .isEqualTo("Replay again");

        screenshot("admin-390.png", 390);
        assertThat(sidewaysOverflow()).as("horizontal overflow at 390 px").isLessThanOrEqualTo(0);
        viewport(360);
        assertThat(sidewaysOverflow()).as("horizontal overflow at 360 px").isLessThanOrEqualTo(0);
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        assertNoConsoleErrors();
    }

    private String tile(String name) {
        return browser.findElement(By.cssSelector("#tile-" + name + " .value")).getText();
    }

    /** A full-page screenshot at this viewport width, under target/admin-screenshots/ for a person to look at. */
    private void screenshot(String file, int width) throws IOException {
        ChromeDriver chrome = viewport(width);
        Number height = (Number) chrome.executeScript("return document.documentElement.scrollHeight;");
        save(file, chrome, Map.of("x", 0, "y", 0, "width", width, "height", height.intValue(), "scale", 1));
    }

    /** A screenshot of one part of the page at this viewport width. */
    private void screenshot(String file, int width, String selector) throws IOException {
        ChromeDriver chrome = viewport(width);
        @SuppressWarnings("unchecked")
        Map<String, Object> box = (Map<String, Object>) chrome.executeScript(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                        + " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height,"
                        + " scale: 1};",
                selector);
        save(file, chrome, box);
    }

    private static void save(String file, ChromeDriver chrome, Map<String, Object> clip) throws IOException {
        Map<String, Object> shot = chrome.executeCdpCommand(
                "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Path folder = Path.of("target", "admin-screenshots");
        Files.createDirectories(folder);
        Files.write(folder.resolve(file), Base64.getDecoder().decode((String) shot.get("data")));
    }

    /** Emulates a screen this wide (a phone's below 600 px). */
    private ChromeDriver viewport(int width) {
        ChromeDriver chrome = (ChromeDriver) browser;
        chrome.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", width < 600));
        // the page redraws its charts for the new width in the next frame
        chrome.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " requestAnimationFrame(() => requestAnimationFrame(done));");
        return chrome;
    }

    /** How far the page reaches beyond the screen's width; 0 or less when it does not scroll sideways. */
    private long sidewaysOverflow() {
        return ((Number) ((JavascriptExecutor) browser)
                        .executeScript(
                                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"))
                .longValue();
    }

    private void assertNoConsoleErrors() {
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
        assertThat(severe).as("the browser console's errors").isEmpty();
    }
}
