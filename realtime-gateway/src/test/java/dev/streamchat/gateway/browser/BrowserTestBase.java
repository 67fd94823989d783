package dev.streamchat.gateway.browser;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Common ground of the browser tests: skips (with the reason) where Chromium is missing, shares one
 * {@link GatewayStack}, opens windows that are closed after each test, and keeps a screenshot of every
 * window of a failing test under {@code target/browser-screenshots/}.
 */
abstract class BrowserTestBase {

    protected static GatewayStack stack;
    private final List<Browser> browsers = new ArrayList<>();

    @RegisterExtension
    final TestExecutionExceptionHandler screenshotOnFailure = this::screenshotAndRethrow;

    @BeforeAll
    static void startStack() {
        Assumptions.assumeTrue(Browser.available(),
                "Browser tests skipped: " + Browser.CHROMIUM + " or " + Browser.CHROMEDRIVER
                        + " is missing (install with: apt-get install -y chromium chromium-driver)");
        stack = GatewayStack.shared();
    }

    protected Browser newBrowser() {
        Browser browser = new Browser();
        browsers.add(browser);
        return browser;
    }

    /** A user of their own for each test, so quotas, sessions and streams never mix between tests. */
    protected static String newUserId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected Browser signedIn(String prefix, String plan) {
        Browser browser = newBrowser();
        browser.signIn(stack.pageUrl(), newUserId(prefix), plan);
        return browser;
    }

    private void screenshotAndRethrow(ExtensionContext context, Throwable failure) throws Throwable {
        for (int i = 0; i < browsers.size(); i++) {
            try {
                String name = "FAILED-" + context.getRequiredTestClass().getSimpleName() + "-"
                        + context.getRequiredTestMethod().getName() + "-window" + (i + 1);
                browsers.get(i).screenshot(name);
                browsers.get(i).saveConsole(name);
            } catch (RuntimeException screenshotFailed) {
                failure.addSuppressed(screenshotFailed);
            }
        }
        throw failure;
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(Browser::close);
        browsers.clear();
    }
}
