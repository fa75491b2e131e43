package io.queueservice.server.email;

import io.queueservice.config.ConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Locale.LanguageRange;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The email templates the worker renders, read and checked once at start-up: the built-in ones (the jar's
 * {@code templates/}: {@code confirmation} in {@code en} and {@code fr}), overlaid by those of {@code
 * EMAIL_TEMPLATES_DIR}, a folder of the same layout ({@code <template>/<language>/subject.txt, body.html,
 * body.txt}). A template of that folder in one language replaces the built-in one in that language, and
 * adds to the others.
 *
 * <p>A message's language is looked up as RFC 4647 says: {@code fr-CA}, then {@code fr}; then {@code
 * EMAIL_DEFAULT_LOCALE} (default {@value #DEFAULT_LOCALE}) in the same way. Every template must exist in
 * the default language, so a known template always renders. Immutable and thread-safe.
 */
public final class EmailTemplates {
    /** The language of a message that asks for none, or for one a template does not have. */
    public static final String DEFAULT_LOCALE = "en";

    /** By template name, by lower-case language tag. */
    private final Map<String, Map<String, EmailTemplate>> byName;

    private final String defaultLocale;
    private final List<LanguageRange> defaultRanges;

    private EmailTemplates(Map<String, EmailTemplate> templates, String defaultLocale) {
        Map<String, Map<String, EmailTemplate>> m = new TreeMap<>();
        templates
                .values()
                .forEach(t -> m.computeIfAbsent(t.name(), n -> new TreeMap<>())
                        .put(t.language().toLowerCase(Locale.ROOT), t));
        m.replaceAll((name, languages) -> Map.copyOf(languages));
        this.byName = Map.copyOf(m);
        this.defaultLocale = defaultLocale;
        this.defaultRanges = LanguageRange.parse(defaultLocale);
    }

    /**
     * Reads {@code EMAIL_TEMPLATES_DIR} (unset: the built-in templates only) and {@code EMAIL_DEFAULT_LOCALE}
     * ({@value #DEFAULT_LOCALE}), then reads, compiles and checks every template. Each problem is recorded in
     * {@code env} and names its file; call {@link ConfigReader#validate()} afterwards.
     */
    public static EmailTemplates from(ConfigReader env) {
        String defaultLocale = env.string("EMAIL_DEFAULT_LOCALE", DEFAULT_LOCALE);
        if (!TemplateFolder.isLanguageTag(defaultLocale)) {
            env.problem(
                    "EMAIL_DEFAULT_LOCALE",
                    "must be a language tag such as en, fr or fr-CA but was '" + defaultLocale + "'");
            defaultLocale = DEFAULT_LOCALE;
        }
        TemplateFolder.Contents builtIn = TemplateFolder.readBuiltIn();
        builtIn.problems().forEach(p -> env.problem("built-in email template", p));
        Map<String, EmailTemplate> all = new HashMap<>(builtIn.templates());
        Optional<String> dir = env.raw("EMAIL_TEMPLATES_DIR");
        if (dir.isPresent()) {
            Path folder = Path.of(dir.get());
            if (!Files.isDirectory(folder)) {
                env.problem(
                        "EMAIL_TEMPLATES_DIR", "must name a folder of templates but '" + dir.get() + "' is not one");
            } else {
                TemplateFolder.Contents custom = TemplateFolder.read(folder);
                custom.problems().forEach(p -> env.problem("EMAIL_TEMPLATES_DIR", "has a broken template: " + p));
                all.putAll(custom.templates());
            }
        }
        EmailTemplates templates = new EmailTemplates(all, defaultLocale);
        templates.checkDefaultLocale(env);
        return templates;
    }

    private void checkDefaultLocale(ConfigReader env) {
        byName.forEach((name, languages) -> {
            if (Locale.lookupTag(defaultRanges, languages.keySet()) == null) {
                env.problem(
                        "EMAIL_DEFAULT_LOCALE",
                        "is '" + defaultLocale + "' but template '" + name + "' has no version in it (it has: "
                                + String.join(", ", new TreeSet<>(languages.keySet()))
                                + "): add one, or choose one of those");
            }
        });
    }

    /** The names of the templates, sorted. */
    public Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    /** The language tags a template exists in (lower case, sorted); empty for an unknown template. */
    public Set<String> languages(String template) {
        return new TreeSet<>(byName.getOrDefault(template, Map.of()).keySet());
    }

    /**
     * One line for the log: each template with its languages and where each was read from, and the default
     * language; for example {@code confirmation: en (built-in), fr (/etc/templates); default language en}.
     */
    public String describe() {
        StringBuilder s = new StringBuilder();
        byName.keySet().stream().sorted().forEach(name -> {
            s.append(s.isEmpty() ? "" : "; ").append(name).append(": ");
            s.append(String.join(
                    ", ",
                    new TreeMap<>(byName.get(name))
                            .values().stream()
                                    .map(t -> t.language() + " (" + t.origin() + ")")
                                    .toList()));
        });
        return s.append("; default language ").append(defaultLocale).toString();
    }

    /** The language of messages that ask for none, or for one a template lacks ({@code EMAIL_DEFAULT_LOCALE}). */
    public String defaultLocale() {
        return defaultLocale;
    }

    /**
     * The template to render for a message.
     *
     * @param wanted the message's languages, best first (empty: the default language)
     * @return empty when no template has this name
     */
    Optional<EmailTemplate> find(String name, List<LanguageRange> wanted) {
        Map<String, EmailTemplate> languages = byName.get(name);
        if (languages == null) {
            return Optional.empty();
        }
        String tag = wanted.isEmpty() ? null : Locale.lookupTag(wanted, languages.keySet());
        if (tag == null) {
            tag = Locale.lookupTag(defaultRanges, languages.keySet());
        }
        // Never null after the start-up check; a template without the default language stays unusable.
        return Optional.ofNullable(tag == null ? null : languages.get(tag));
    }
}
