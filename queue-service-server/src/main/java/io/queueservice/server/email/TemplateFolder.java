package io.queueservice.server.email;

import io.queueservice.server.email.TemplateCompiler.Compiled;
import io.queueservice.server.email.TemplateCompiler.TemplateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a folder of templates: one folder per template, in it one folder per language (a language tag:
 * {@code en}, {@code fr}, {@code fr-CA}), each holding {@code subject.txt}, {@code body.html} and {@code
 * body.txt}, UTF-8. Names starting with a dot are skipped. Everything else is an error that names its file,
 * so a typo ({@code Body.html}, {@code fr_FR}) is found at start-up, not when a message needs it.
 */
final class TemplateFolder {
    /** Where the built-in templates are, on the class path. */
    static final String BUILT_IN = "/templates";

    static final String SUBJECT = "subject.txt";
    static final String HTML = "body.html";
    static final String TEXT = "body.txt";
    private static final List<String> PARTS = List.of(SUBJECT, HTML, TEXT);

    private static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    /**
     * What a folder held: its templates by key ({@link #key(String, String)}), and what was wrong, each
     * problem naming its file.
     */
    record Contents(Map<String, EmailTemplate> templates, List<String> problems) {}

    private final Path root;
    private final String origin;
    private final Map<String, EmailTemplate> templates = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private TemplateFolder(Path root, String origin) {
        this.root = root;
        this.origin = origin;
    }

    /** The key of a template in one language: its name and its lower-case language tag. */
    static String key(String name, String language) {
        return name + "/" + language.toLowerCase(Locale.ROOT);
    }

    /** Reads a folder on disk ({@code EMAIL_TEMPLATES_DIR}). */
    static Contents read(Path folder) {
        TemplateFolder f = new TemplateFolder(folder, folder.toString());
        f.readRoot();
        return new Contents(Map.copyOf(f.templates), List.copyOf(f.problems));
    }

    /** Reads the templates built into the jar (or into the classes folder, in tests). */
    static Contents readBuiltIn() {
        URL url = TemplateFolder.class.getResource(BUILT_IN);
        if (url == null) {
            return new Contents(Map.of(), List.of("the built-in templates are missing from the class path"));
        }
        try {
            URI uri = url.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return read(Path.of(uri), "built-in");
            }
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return read(jar.getPath(BUILT_IN), "built-in");
            } catch (FileSystemAlreadyExistsException e) {
                return read(FileSystems.getFileSystem(uri).getPath(BUILT_IN), "built-in"); // someone else's: left open
            }
        } catch (URISyntaxException | IOException e) {
            return new Contents(Map.of(), List.of("the built-in templates cannot be read: " + e));
        }
    }

    private static Contents read(Path root, String origin) {
        TemplateFolder f = new TemplateFolder(root, origin);
        f.readRoot();
        return new Contents(Map.copyOf(f.templates), List.copyOf(f.problems));
    }

    private void readRoot() {
        List<Path> names = list(root);
        if (names.isEmpty() && problems.isEmpty()) {
            problems.add(show(root) + ": holds no template (one folder per template, such as confirmation/en/)");
        }
        for (Path template : names) {
            String name = template.getFileName().toString().replace("/", "");
            if (!Files.isDirectory(template)) {
                problems.add(show(template) + ": not a folder (the templates folder holds one folder per template)");
            } else if (!TEMPLATE_NAME.matcher(name).matches()) {
                problems.add(show(template) + ": a template's name is letters, digits, - and _");
            } else {
                readTemplate(template, name);
            }
        }
    }

    private void readTemplate(Path folder, String name) {
        List<Path> languages = list(folder);
        if (languages.isEmpty()) {
            problems.add(show(folder) + ": holds no language folder (such as en/)");
        }
        for (Path language : languages) {
            String tag = language.getFileName().toString().replace("/", "");
            if (!Files.isDirectory(language)) {
                problems.add(show(language) + ": not a folder (a template holds one folder per language, such as en/)");
            } else if (!isLanguageTag(tag)) {
                problems.add(show(language) + ": '" + tag + "' is not a language tag such as en, fr or fr-CA");
            } else if (templates.containsKey(key(name, tag))) {
                problems.add(show(language) + ": a second folder for language '" + tag + "'");
            } else {
                readLanguage(language, name, tag);
            }
        }
    }

    private void readLanguage(Path folder, String name, String tag) {
        for (Path file : list(folder)) {
            String fileName = file.getFileName().toString().replace("/", "");
            if (!PARTS.contains(fileName)) {
                problems.add(show(file) + ": unexpected (a language folder holds " + String.join(", ", PARTS) + ")");
            }
        }
        Compiled subject = compile(folder.resolve(SUBJECT), false);
        Compiled html = compile(folder.resolve(HTML), true);
        Compiled text = compile(folder.resolve(TEXT), false);
        if (subject != null && html != null && text != null) {
            templates.put(key(name, tag), new EmailTemplate(name, tag, origin, subject, html, text));
        }
    }

    /** A part, compiled; null after recording why it cannot be. */
    private Compiled compile(Path file, boolean html) {
        String source = readText(file);
        if (source == null) {
            return null;
        }
        if (file.getFileName().toString().equals(SUBJECT)) {
            String line = source.strip();
            if (line.isEmpty() || line.contains("\n") || line.contains("\r")) {
                problems.add(show(file) + ": the subject must be one line of text, not empty");
                return null;
            }
        }
        try {
            return TemplateCompiler.compile(source, show(file), html);
        } catch (TemplateException e) {
            problems.add(show(file) + (e.getMessage().startsWith("line ") ? ", " : ": ") + e.getMessage());
            return null;
        }
    }

    /** The file's text; null after recording why it cannot be read. */
    private String readText(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                problems.add(show(file) + ": missing (a language folder holds " + String.join(", ", PARTS) + ")");
                return null;
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                problems.add(show(file) + ": larger than 1 MiB");
                return null;
            }
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            problems.add(show(file) + ": not UTF-8 text");
        } catch (IOException e) {
            problems.add(show(file) + ": cannot be read (" + e + ")");
        }
        return null;
    }

    /** The entries of a folder whose names do not start with a dot, sorted; none after recording a problem. */
    private List<Path> list(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            problems.add(show(folder) + ": cannot be listed (" + e + ")");
            return List.of();
        }
    }

    /** A file as errors show it: its path on disk, or {@code built-in <path in the jar>}. */
    private String show(Path p) {
        if (origin.equals("built-in")) {
            return "built-in templates/" + root.relativize(p).toString().replace('\\', '/');
        }
        return p.toString();
    }

    static boolean isLanguageTag(String tag) {
        try {
            new Locale.Builder().setLanguageTag(tag);
            return !tag.isEmpty();
        } catch (IllformedLocaleException e) {
            return false;
        }
    }
}
