package dev.streamchat.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The page's own {@code markdown.js}, loaded from the gateway into a real Chromium DOM, against a table of
 * inputs and the exact HTML it must build: formatting works, partial input renders sanely, and nothing in
 * the input can become markup, script or a non-http(s) link.
 */
class MarkdownRenderingIT extends BrowserTestBase {

    private static final String CITE = "<button type=\"button\" class=\"cite\" data-cite=\"%d\">%d</button>";

    private static Map<String, String> cases() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("**bold** and *it*", "<p><strong>bold</strong> and <em>it</em></p>");
        cases.put("line one\nline two", "<p>line one<br>line two</p>");
        cases.put("# Title", "<h3 class=\"md-h\">Title</h3>");
        cases.put("a `co<de>` b", "<p>a <code>co&lt;de&gt;</code> b</p>");
        cases.put("- a\n- b", "<ul><li>a</li><li>b</li></ul>");
        cases.put("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>");
        cases.put("- a\n  - b", "<ul><li>a<ul><li>b</li></ul></li></ul>");
        cases.put("> quoted", "<blockquote><p>quoted</p></blockquote>");
        cases.put("see [1] and [2].", "<p>see " + CITE.formatted(1, 1) + " and " + CITE.formatted(2, 2) + ".</p>");
        cases.put("[ok](https://example.org/a?b=1&c=2)",
                "<p><a href=\"https://example.org/a?b=1&amp;c=2\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">ok</a></p>");
        cases.put("```js\nconst a = '<b>';\n```", "<pre class=\"code\"><code data-lang=\"js\">const a = '&lt;b&gt;';</code></pre>");
        // partial input, mid-stream
        cases.put("```js\nconst a = 1;", "<pre class=\"code code-open\"><code data-lang=\"js\">const a = 1;</code></pre>");
        cases.put("**not closed yet", "<p>**not closed yet</p>");
        cases.put("`not closed yet", "<p>`not closed yet</p>");
        cases.put("snake_case_name", "<p>snake_case_name</p>");
        // hostile input
        cases.put("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>");
        cases.put("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        cases.put("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>");
        cases.put("[x](JaVaScRiPt:alert`1`)", "<p>[x](JaVaScRiPt:alert<code>1</code>)</p>");
        cases.put("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>");
        cases.put("[x](//evil.example/)", "<p>[x](//evil.example/)</p>");
        cases.put("[<img src=x>](https://example.org)",
                "<p><a href=\"https://example.org/\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">&lt;img src=x&gt;</a></p>");
        return cases;
    }

    @Test
    void rendersExactlyTheExpectedSafeHtml() {
        Browser browser = newBrowser();
        browser.open(stack.pageUrl());
        List<String> inputs = List.copyOf(cases().keySet());
        @SuppressWarnings("unchecked")
        List<String> html = (List<String>) browser.script(
                "return import('/js/markdown.js').then(({ renderMarkdown }) => arguments[0].map((input) => {"
                        + " const box = document.createElement('div');"
                        + " box.append(renderMarkdown(input, { citation: (n) => { const b = document.createElement('button');"
                        + "   b.type = 'button'; b.className = 'cite'; b.dataset.cite = n; b.textContent = n; return b; } }));"
                        + " return box.innerHTML; }))", inputs);

        assertThat(html).hasSameSizeAs(inputs);
        SoftAssertions softly = new SoftAssertions();
        for (int i = 0; i < inputs.size(); i++) {
            softly.assertThat(html.get(i)).as("markdown %s", inputs.get(i)).isEqualTo(cases().get(inputs.get(i)));
        }
        softly.assertAll();
        assertThat(browser.script("return typeof window.__pwned")).isEqualTo("undefined");
    }
}
