package io.queueservice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/**
 * The user documentation of the repository, README.md and docs/*.md, read as Markdown (CommonMark): its
 * links, its headings' anchors as GitHub makes them, and the shell examples marked to be run by {@link
 * ReadmeExamplesIT}. Shared by {@link DocsLinksTest} and {@link ReadmeExamplesIT}.
 */
final class MarkdownDocs {
    static final Path ROOT = MonitoringFiles.repoRoot();

    /** Before a {@code bash} block: run it against a started service (see {@link ReadmeExamplesIT}). */
    static final String EXAMPLE_MARKER = "<!-- readme-test -->";

    /** {@code <!-- readme-test names: a b c -->}: names the file's examples declare, made unique per run. */
    private static final Pattern NAMES = Pattern.compile("<!--\\s*readme-test\\s+names:\\s*([^>]*?)\\s*-->");

    private static final Map<Path, Set<String>> ANCHORS = new ConcurrentHashMap<>();

    private static final Parser PARSER = Parser.builder()
            .includeSourceSpans(IncludeSourceSpans.BLOCKS_AND_INLINES)
            .build();

    /** A link or image of a page, with the line it is on (1-based). */
    record PageLink(String destination, int line) {}

    /**
     * A shell example to run, with the output shown after it when there is one.
     *
     * @param expected the {@code text} block right after the example, or null
     */
    record Example(Path file, int line, String script, String expected) {}

    private MarkdownDocs() {}

    /** README.md and every Markdown page of docs/, relative to the repository's root. */
    static List<Path> pages() {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .forEach(p -> pages.add(ROOT.relativize(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    static String read(Path page) {
        try {
            return Files.readString(ROOT.resolve(page), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Node parse(Path page) {
        return PARSER.parse(read(page));
    }

    /** Every link and image destination of the page, in order (code blocks and code spans hold none). */
    static List<PageLink> links(Path page) {
        List<PageLink> links = new ArrayList<>();
        parse(page).accept(new AbstractVisitor() {
            @Override
            public void visit(Link link) {
                links.add(new PageLink(link.getDestination(), line(link)));
                visitChildren(link);
            }

            @Override
            public void visit(Image image) {
                links.add(new PageLink(image.getDestination(), line(image)));
                visitChildren(image);
            }
        });
        return links;
    }

    /** The anchors GitHub gives the page's headings, in order: {@link #slug}, with -1, -2... for repeats. */
    static Set<String> anchors(Path page) {
        return ANCHORS.computeIfAbsent(page.normalize(), MarkdownDocs::readAnchors);
    }

    private static Set<String> readAnchors(Path page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        parse(page).accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                String slug = slug(plainText(heading));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        });
        return anchors;
    }

    /**
     * A heading's anchor as GitHub makes it (github-slugger): lower case; every character dropped that is
     * not a letter, a digit, a mark, {@code _}, {@code -} or a space; then each space becomes {@code -}.
     */
    static String slug(String headingText) {
        return headingText
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}_\\- ]", "")
                .replace(' ', '-');
    }

    private static String plainText(Node node) {
        StringBuilder text = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text t) {
                text.append(t.getLiteral());
            }

            @Override
            public void visit(Code c) {
                text.append(c.getLiteral());
            }
        });
        return text.toString();
    }

    /**
     * The page's examples marked with {@link #EXAMPLE_MARKER}, in order: the {@code bash} block right after
     * each marker, and the {@code text} block right after that one, if any, as its expected output.
     *
     * @throws AssertionError for a marker that is not followed by a {@code bash} block
     */
    static List<Example> examples(Path page) {
        List<Example> examples = new ArrayList<>();
        for (Node n = parse(page).getFirstChild(); n != null; n = n.getNext()) {
            if (!(n instanceof HtmlBlock html) || !html.getLiteral().strip().equals(EXAMPLE_MARKER)) {
                continue;
            }
            if (!(n.getNext() instanceof FencedCodeBlock script)
                    || !script.getInfo().strip().equals("bash")) {
                throw new AssertionError(page + ", line " + line(n) + ": " + EXAMPLE_MARKER
                        + " must stand right before a ```bash block");
            }
            String expected = script.getNext() instanceof FencedCodeBlock output
                            && output.getInfo().strip().equals("text")
                    ? output.getLiteral()
                    : null;
            examples.add(new Example(page, line(script), script.getLiteral(), expected));
        }
        return examples;
    }

    /** The names the page's examples declare ({@code <!-- readme-test names: ... -->}), in order. */
    static List<String> declaredNames(Path page) {
        List<String> names = new ArrayList<>();
        for (Node n = parse(page).getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof HtmlBlock html) {
                Matcher m = NAMES.matcher(html.getLiteral().strip());
                if (m.matches()) {
                    names.addAll(List.of(m.group(1).strip().split("\\s+")));
                }
            }
        }
        return names;
    }

    private static int line(Node node) {
        return node.getSourceSpans().isEmpty()
                ? 0
                : node.getSourceSpans().getFirst().getLineIndex() + 1;
    }
}
