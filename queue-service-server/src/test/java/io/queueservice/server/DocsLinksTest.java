package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the documentation (README.md and docs/*.md) leads somewhere: the file or folder
 * exists in the repository, and an {@code #anchor} is the anchor GitHub gives one of the target page's
 * headings. Links with a scheme (https:, mailto:) are not followed: no network.
 */
class DocsLinksTest {
    /**
     * Pages written on other branches at the same time, linked already. Each may be missing, and is checked
     * like any other page once it is there; the test fails when one is there, so that this list only ever
     * holds pages still to come.
     */
    static final Set<Path> COMING = Set.of(Path.of("docs/dead-letters.md"), Path.of("docs/console.md"));

    @Test
    void everyRelativeLinkAndAnchorResolves() {
        List<String> broken = new ArrayList<>();
        for (Path page : MarkdownDocs.pages()) {
            for (MarkdownDocs.PageLink link : MarkdownDocs.links(page)) {
                String problem = problem(page, link.destination());
                if (problem != null) {
                    broken.add(page + ":" + link.line() + ": (" + link.destination() + ") " + problem);
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void pagesStillToComeAreNotThereYet() {
        for (Path page : COMING) {
            assertThat(MarkdownDocs.ROOT.resolve(page))
                    .as(
                            "%s is in the repository now: remove it from DocsLinksTest.COMING, so that its links"
                                    + " and anchors are checked like every other page's",
                            page)
                    .doesNotExist();
        }
    }

    @Test
    void theCheckFindsBrokenLinksAndAnchors() {
        // The test above passes only if these are found: a check that finds nothing proves nothing.
        Path readme = Path.of("README.md");
        assertThat(problem(readme, "docs/no-such-page.md")).contains("no such file");
        assertThat(problem(readme, "#no-such-heading")).contains("no heading");
        assertThat(problem(readme, "docs/reliability.md#no-such-heading")).contains("no heading");
        assertThat(problem(readme, "../outside.md")).contains("outside the repository");
        assertThat(problem(readme, "docs/reliability.md")).isNull();
        assertThat(problem(readme, "https://example.com/#anything")).isNull();
        assertThat(problem(Path.of("docs/reliability.md"), "../README.md")).isNull();
    }

    @Test
    void anchorsAreGitHubs() {
        assertThat(MarkdownDocs.slug("Worker toolkit (Java)")).isEqualTo("worker-toolkit-java");
        assertThat(MarkdownDocs.slug("POST /api/v1/publish")).isEqualTo("post-apiv1publish");
        assertThat(MarkdownDocs.slug(".env and the environment")).isEqualTo("env-and-the-environment");
        assertThat(MarkdownDocs.slug("Your own templates: EMAIL_TEMPLATES_DIR"))
                .isEqualTo("your-own-templates-email_templates_dir");
        assertThat(MarkdownDocs.slug("GET /healthz, GET /healthz/ready, GET /metrics"))
                .isEqualTo("get-healthz-get-healthzready-get-metrics");
        assertThat(MarkdownDocs.slug("Les files d'attente à l'arrêt")).isEqualTo("les-files-dattente-à-larrêt");
    }

    /** Why {@code destination}, linked from {@code page}, leads nowhere; null when it resolves. */
    private static String problem(Path page, String destination) {
        if (destination.isEmpty()
                || destination.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")
                || destination.startsWith("//")) {
            return null; // https:, mailto:, ...: not followed here
        }
        int hash = destination.indexOf('#');
        String path = hash < 0 ? destination : destination.substring(0, hash);
        String anchor = hash < 0 ? null : destination.substring(hash + 1);
        Path dir = page.getParent() == null ? Path.of("") : page.getParent();
        Path target = path.isEmpty() ? page : dir.resolve(path).normalize();
        if (target.startsWith("..") || target.isAbsolute()) {
            return "leads outside the repository";
        }
        if (!Files.exists(MarkdownDocs.ROOT.resolve(target))) {
            if (COMING.contains(target) && anchor == null) {
                return null;
            }
            return COMING.contains(target)
                    ? "links into a page still to come: link the page, not one of its headings"
                    : "no such file: " + target;
        }
        if (anchor == null || anchor.isEmpty()) {
            return null;
        }
        if (!target.toString().endsWith(".md")) {
            return "an anchor into a file that is not Markdown";
        }
        Set<String> anchors = MarkdownDocs.anchors(target);
        return anchors.contains(anchor) ? null : "no heading of " + target + " has the anchor #" + anchor;
    }
}
