package dev.streamchat.gateway.browser;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;

/**
 * One headless Chromium window on the page, with the few gestures the tests need. Each window has a fresh
 * profile, so cookies and sessionStorage never leak between tests or users.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
    public static final Duration WAIT = Duration.ofSeconds(15);

    private final ChromeDriver driver;
    private final Path profile;

    public Browser() {
        try {
            profile = Files.createTempDirectory("streamchat-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + profile.toAbsolutePath());
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public void signIn(String pageUrl, String userId, String plan) {
        open(pageUrl);
        WebElement name = waitFor(By.id("login-name"));
        name.sendKeys(userId);
        if (!"free".equals(plan)) {
            driver.findElement(By.cssSelector("#login-plan option[value='" + plan + "']")).click();
        }
        driver.findElement(By.id("login-submit")).click();
        waitFor(By.id("composer-input"));
        await().atMost(WAIT).until(() -> "connected".equals(connectionState()));
    }

    public WebElement waitFor(By by) {
        return await().atMost(WAIT).ignoreExceptions().until(() -> driver.findElement(by), e -> e.isDisplayed());
    }

    /** Types into the composer and presses Enter (the page's send key). */
    public void ask(String question) {
        WebElement input = waitFor(By.id("composer-input"));
        input.clear();
        input.sendKeys(question);
        input.sendKeys(org.openqa.selenium.Keys.ENTER);
    }

    public String composerText() {
        return (String) script("return document.getElementById('composer-input').value");
    }

    public String connectionState() {
        return (String) script("const c = document.getElementById('conn-state'); return c ? c.dataset.state : null");
    }

    /** Text of the last answer's content (citations show as their number). */
    public String lastAnswerText() {
        return (String) script("const a = [...document.querySelectorAll('.msg-assistant .answer-content')].pop();"
                + " return a ? a.textContent : ''");
    }

    /** True once the last answer is no longer streaming and shows a final state. */
    public boolean lastAnswerFinished() {
        return Boolean.TRUE.equals(script("const a = [...document.querySelectorAll('.msg-assistant')].pop();"
                + " return !!a && !a.classList.contains('streaming') && !a.querySelector('.thinking')"));
    }

    /**
     * True once the page's URL names its conversation ({@code #/s/<id>}): the answer to the question's POST has
     * arrived. The socket's events come on another connection and can beat it, so a finished answer alone does not
     * mean the page knows its session yet.
     */
    public boolean onSessionUrl() {
        return driver.getCurrentUrl().contains("#/s/");
    }

    public long count(String css) {
        return ((Number) script("return document.querySelectorAll(arguments[0]).length", css)).longValue();
    }

    public String text(String css) {
        return (String) script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", css);
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    public void offline(boolean offline) {
        if (offline) {
            ChromiumNetworkConditions conditions = new ChromiumNetworkConditions();
            conditions.setOffline(true);
            conditions.setLatency(Duration.ZERO);
            driver.setNetworkConditions(conditions);
        } else {
            driver.deleteNetworkConditions();
        }
    }

    /** Emulates a screen of this CSS width (headless windows cannot be narrower than 500 px). */
    public void viewport(int width, int height) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 600));
    }

    /** Widths that overflow the viewport: the page's and the body's scroll widths against innerWidth. */
    public List<?> horizontalOverflow() {
        return (List<?>) script("const w = window.innerWidth; return [document.documentElement.scrollWidth - w, document.body.scrollWidth - w]");
    }

    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page's console (errors, warnings, logs) since the last call, kept next to a failure's screenshot. */
    public Path saveConsole(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-console.txt");
            List<String> lines = driver.manage().logs().get("browser").getAll().stream()
                    .map(entry -> entry.getLevel() + " " + entry.getMessage()).toList();
            Files.write(file, lines);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a leftover temp profile is harmless
        }
    }
}
