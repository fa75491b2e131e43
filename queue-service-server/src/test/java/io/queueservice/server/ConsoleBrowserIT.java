package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.SharedBroker;
import io.queueservice.worker.FailureHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium, driven by its chromedriver), against the service with
 * AUTH_MODE=jwt on the shared broker: paste a token, find a dead-lettered message and its reason, press redrive, and
 * see the message back in its queue with a plain AMQP client. Leaves screenshots in target/console-*.png.
 */
class ConsoleBrowserIT {
    private static final String SECRET = "a-console-test-secret-of-at-least-32-bytes";
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER =
            Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static RunningService service;
    private static ApiClient api;
    private static BrokerProbe broker;
    private static WebDriver browser;
    private static Path profile;
    private static String definitions;
    private static final String SUBSCRIPTIONS_KEY = java.util.Base64.getEncoder()
            .encodeToString("console-test-key-of-32-bytes!!!!".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": run ./scripts/test.sh, which installs Debian's chromium and chromium-driver (as root), or"
                    + " set CHROMIUM and CHROMEDRIVER to their paths");
        }
        broker = new BrokerProbe(SharedBroker.url());
        definitions = broker.queue(uniqueName("console-definitions"));
        service = RunningService.start(
                SharedBroker.url(),
                Map.of(
                        "AUTH_MODE",
                        "jwt",
                        "JWT_SECRET",
                        SECRET,
                        "SUBSCRIPTIONS_KEY",
                        SUBSCRIPTIONS_KEY,
                        "PUSH_ALLOW_HTTP",
                        "true",
                        "PUSH_ALLOWED_HOSTS",
                        "127.0.0.1",
                        "DEFINITIONS_STREAM",
                        definitions));
        api = service.api().withToken(token());
        profile = Files.createTempDirectory("console-chromium-");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                        "--disable-sync",
                        "--user-data-dir=" + profile,
                        "--window-size=1280,1000");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String token() {
        return TestTokens.hs256(
                SECRET,
                TestTokens.claims("console-it", "topology:read topology:write subscriptions:read subscriptions:write")
                        .build());
    }

    @Test
    void anOperatorFindsADeadLetterAndItsReasonRedrivesItAndItIsBackInItsQueue() throws Exception {
        String work = broker.queue(uniqueName("console-work"));
        String dlq = broker.queue(work + ".dlq");
        for (String q : List.of(work, dlq)) {
            var r = api.post("/api/v1/queues", json(Map.of("name", q)));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
        String body = "{\"order\":\"A-1042\",\"total\":-3}";
        deadLetter(dlq, work, body, "invoice total is negative");

        browser.get(service.api().base().resolve("/console").toString());
        WebDriverWait wait = waiting();
        // AUTH_MODE=jwt: the page asks for a token, kept in sessionStorage; typed and sent with the keyboard.
        WebElement tokenField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        tokenField.sendKeys(token(), Keys.ENTER);
        assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.length"))
                .isEqualTo(1L);

        By dlqRow = By.cssSelector("#deadletters tr[data-queue='" + dlq + "']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(dlqRow, work));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#queues tr[data-queue='" + dlq + "'] td[data-label='Ready']"), "1"));

        click(dlqRow, "look");
        WebElement message =
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#message-list li")));
        assertThat(message.getText()).contains("invoice total is negative").contains(work);
        assertThat(browser.switchTo().activeElement().getAttribute("id"))
                .as("focus moves to the messages")
                .isEqualTo("messages-title");
        screenshot("console-deadletter.png", 1700);

        click(dlqRow, "redrive");
        WebElement start = wait.until(ExpectedConditions.elementToBeClickable(By.id("redrive-start")));
        start.click();
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#redrives tr[data-queue='" + dlq + "'][data-state='completed']")));

        GetResponse back = broker.await(work);
        assertThat(new String(back.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(broker.depth(dlq)).isZero();
        screenshot("console-redriven.png", 1000);
    }

    @Test
    void aPushSubscriptionIsShownWithItsStateAndPausedAndResumedFromTheConsole() {
        String queue = broker.queue(uniqueName("console-sub"));
        assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                .isEqualTo(201);
        broker.queue(queue + ".dlq"); // the subscription's worker declares it, and its retry queues:
        new io.queueservice.worker.RetrySchedule(
                        queue,
                        io.queueservice.worker.WorkerOptions.from(new io.queueservice.config.ConfigReader(Map.of()))
                                .retry())
                .retryQueues()
                .forEach(broker::queue);
        String name = uniqueName("console-hook");
        var created = api.post(
                "/api/v1/subscriptions",
                json(Map.of("name", name, "queue", queue, "endpoint", "http://127.0.0.1:9/hook")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        try {
            browser.get(service.api().base().resolve("/console/").toString());
            // The token as the page keeps it once pasted (the first test pastes it with the keyboard).
            ((JavascriptExecutor) browser)
                    .executeScript("sessionStorage.setItem('queue-service-token', arguments[0])", token());
            browser.navigate().refresh();
            WebDriverWait wait = waiting();
            By row = By.cssSelector("#subscriptions tr[data-subscription='" + name + "']");
            wait.until(ExpectedConditions.attributeToBe(row, "data-state", "active"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(row, queue));

            click(row, "pause");
            wait.until(ExpectedConditions.attributeToBe(row, "data-state", "paused"));
            assertThat(api.get("/api/v1/subscriptions/" + name)
                            .json()
                            .path("state")
                            .asText())
                    .isEqualTo("paused");

            click(row, "resume");
            wait.until(ExpectedConditions.attributeToBe(row, "data-state", "active"));
            assertThat(api.get("/api/v1/subscriptions/" + name)
                            .json()
                            .path("state")
                            .asText())
                    .isEqualTo("active");
        } finally {
            api.delete("/api/v1/subscriptions/" + name);
        }
    }

    @Test
    void everyControlHasALabelAndThePageFitsAPhone() {
        browser.get(service.api().base().resolve("/console/").toString());
        JavascriptExecutor js = (JavascriptExecutor) browser;
        Object unlabelled =
                js.executeScript("return [...document.querySelectorAll('input')].filter(i => !document.querySelector("
                        + "'label[for=\"' + i.id + '\"]')).map(i => i.id)");
        assertThat((List<?>) unlabelled).isEmpty();
        Object nameless = js.executeScript(
                "return [...document.querySelectorAll('button')].filter(b => !(b.getAttribute('aria-label')"
                        + " || b.textContent.trim())).length");
        assertThat(nameless).isEqualTo(0L);

        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            Object overflow = js.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(((Number) overflow).longValue())
                    .as("no sideways scrolling")
                    .isLessThanOrEqualTo(0);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    /** A bounded wait that looks again when the page redrew what it was looking at (see {@link #click}). */
    private static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /**
     * Clicks a row's action button. The page redraws its tables as it refreshes (every few seconds, every second
     * while a redrive runs), so an element found a moment ago may be gone: find it again until the click lands.
     */
    private static void click(By row, String action) {
        waiting().until(d -> {
            d.findElement(row)
                    .findElement(By.cssSelector("button[data-action='" + action + "']"))
                    .click();
            return true;
        });
    }

    /** Puts a message in the dead-letter queue as a worker of the toolkit does when it gives up on it. */
    private static void deadLetter(String dlq, String workQueue, String body, String reason) throws Exception {
        try (Channel ch = broker.channel()) {
            ch.confirmSelect();
            ch.basicPublish(
                    "",
                    dlq,
                    new AMQP.BasicProperties.Builder()
                            .contentType("application/json")
                            .deliveryMode(2)
                            .headers(Map.of(
                                    FailureHeaders.REASON,
                                    reason,
                                    FailureHeaders.ATTEMPT,
                                    1,
                                    FailureHeaders.FIRST_FAILED_AT,
                                    "2026-03-01T09:00:00Z",
                                    FailureHeaders.LAST_FAILED_AT,
                                    "2026-03-01T09:00:00Z",
                                    FailureHeaders.ORIGINAL_EXCHANGE,
                                    "",
                                    FailureHeaders.ORIGINAL_ROUTING_KEY,
                                    workQueue))
                            .build(),
                    body.getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
        }
    }

    /** A screenshot of the page from its top, in a window this tall. */
    private static void screenshot(String name, int height) throws Exception {
        Dimension before = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(1280, height));
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", name), png);
        browser.manage().window().setSize(before);
    }
}
