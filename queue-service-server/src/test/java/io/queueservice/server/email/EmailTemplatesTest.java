package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale.LanguageRange;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading, checking and choosing templates: the built-in ones, a custom folder, the default language. */
class EmailTemplatesTest {
    @TempDir
    Path dir;

    static EmailTemplates read(Map<String, String> values) {
        ConfigReader env = new ConfigReader(values);
        EmailTemplates templates = EmailTemplates.from(env);
        env.validate();
        return templates;
    }

    private EmailTemplates readDir(String... more) {
        Map<String, String> values = new HashMap<>(Map.of("EMAIL_TEMPLATES_DIR", dir.toString()));
        for (int i = 0; i < more.length; i += 2) {
            values.put(more[i], more[i + 1]);
        }
        return read(values);
    }

    /** The problems of a configuration that must be refused. */
    private List<String> problems(String... more) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> readDir(more));
        assertThat(e).as("refused").isNotNull();
        return e.problems();
    }

    /** Writes a template in one language; a null part is left out. */
    static void write(Path root, String template, String language, String subject, String html, String text)
            throws IOException {
        Path folder = Files.createDirectories(root.resolve(template).resolve(language));
        if (subject != null) {
            Files.writeString(folder.resolve("subject.txt"), subject, StandardCharsets.UTF_8);
        }
        if (html != null) {
            Files.writeString(folder.resolve("body.html"), html, StandardCharsets.UTF_8);
        }
        if (text != null) {
            Files.writeString(folder.resolve("body.txt"), text, StandardCharsets.UTF_8);
        }
    }

    private void writeWelcome(String language) throws IOException {
        write(dir, "welcome", language, "Welcome\n", "<p>Hi {{name}}</p>\n", "Hi {{name}}\n");
    }

    private static String languageOf(EmailTemplates templates, String name, String locale) {
        List<LanguageRange> wanted = locale == null ? List.of() : LanguageRange.parse(locale);
        return templates.find(name, wanted).orElseThrow().language();
    }

    @Test
    void theJarShipsTheConfirmationTemplateInEnglishAndFrench() {
        EmailTemplates templates = read(Map.of());

        assertThat(templates.names()).containsExactly("confirmation");
        assertThat(templates.languages("confirmation")).containsExactly("en", "fr");
        assertThat(templates.defaultLocale()).isEqualTo("en");
        assertThat(templates.describe()).isEqualTo("confirmation: en (built-in), fr (built-in); default language en");
        EmailTemplate fr = templates.find("confirmation", List.of()).orElseThrow();
        assertThat(fr.required()).containsExactly("userName", "confirmationUrl");
    }

    @Test
    void aLanguageFallsBackToItsBaseLanguageThenToTheDefault() {
        EmailTemplates templates = read(Map.of());

        assertThat(languageOf(templates, "confirmation", "fr")).isEqualTo("fr");
        assertThat(languageOf(templates, "confirmation", "fr-CA")).isEqualTo("fr");
        assertThat(languageOf(templates, "confirmation", "FR-ca")).isEqualTo("fr");
        assertThat(languageOf(templates, "confirmation", "de-AT")).isEqualTo("en");
        assertThat(languageOf(templates, "confirmation", null)).isEqualTo("en");
        assertThat(languageOf(templates, "confirmation", "de,fr;q=0.8,en;q=0.5"))
                .isEqualTo("fr");
        assertThat(templates.find("welcome", List.of())).isEmpty();
    }

    @Test
    void theDefaultLanguageIsEmailDefaultLocale() {
        EmailTemplates templates = read(Map.of("EMAIL_DEFAULT_LOCALE", "fr-CA"));

        assertThat(templates.defaultLocale()).isEqualTo("fr-CA");
        assertThat(languageOf(templates, "confirmation", null)).isEqualTo("fr");
        assertThat(languageOf(templates, "confirmation", "de")).isEqualTo("fr");
        assertThat(languageOf(templates, "confirmation", "en-GB")).isEqualTo("en");
    }

    @Test
    void aCustomFolderReplacesABuiltInLanguageAndAddsTemplatesAndLanguages() throws Exception {
        write(
                dir,
                "confirmation",
                "fr",
                "Bienvenue {{userName}}\n",
                "<p>{{confirmationUrl}}</p>",
                "Lien : {{confirmationUrl}}");
        write(dir, "confirmation", "de", "Willkommen\n", "<p>{{confirmationUrl}}</p>", "{{confirmationUrl}}");
        writeWelcome("en");

        EmailTemplates templates = readDir();

        assertThat(templates.names()).containsExactly("confirmation", "welcome");
        assertThat(templates.languages("confirmation")).containsExactly("de", "en", "fr");
        EmailTemplate fr =
                templates.find("confirmation", LanguageRange.parse("fr")).orElseThrow();
        assertThat(fr.origin()).isEqualTo(dir.toString());
        assertThat(fr.required()).containsExactly("userName", "confirmationUrl");
        assertThat(templates
                        .find("confirmation", LanguageRange.parse("en"))
                        .orElseThrow()
                        .origin())
                .isEqualTo("built-in");
        assertThat(templates.describe())
                .isEqualTo("confirmation: de (" + dir + "), en (built-in), fr (" + dir + "); welcome: en (" + dir
                        + "); default language en");
    }

    @Test
    void filesStartingWithADotAreSkipped() throws Exception {
        writeWelcome("en");
        Files.writeString(dir.resolve(".DS_Store"), "x");
        Files.writeString(dir.resolve("welcome/en/.body.html.swp"), "x");

        assertThat(readDir().names()).contains("welcome");
    }

    @Test
    void aKubernetesConfigMapVolumeIsRead() throws Exception {
        // A ConfigMap volume: the files live in a hidden, dated folder, reached through symbolic links.
        Path data = Files.createDirectories(dir.resolve("..2026_12_04_10_00_00.123"));
        write(data, "welcome", "en", "Welcome\n", "<p>Hi {{name}}</p>\n", "Hi {{name}}\n");
        Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
        Files.createSymbolicLink(dir.resolve("welcome"), Path.of("..data", "welcome"));

        EmailTemplates templates = readDir();

        assertThat(templates.names()).containsExactly("confirmation", "welcome");
        assertThat(templates.find("welcome", List.of()).orElseThrow().required())
                .containsExactly("name");
    }

    @Test
    void aTemplateThatDoesNotParseIsNamedWithItsLine() throws Exception {
        write(dir, "welcome", "en", "Welcome\n", "<p>\n{{#vip}}Hi {{name}}\n</p>\n", "Hi {{name}}\n");

        assertThat(problems())
                .singleElement()
                .asString()
                .startsWith("EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("welcome/en/body.html")
                        + ", line ");
    }

    @Test
    void aMissingPartIsNamed() throws Exception {
        write(dir, "welcome", "en", "Welcome\n", null, "Hi {{name}}\n");

        assertThat(problems())
                .singleElement()
                .asString()
                .isEqualTo("EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("welcome/en/body.html")
                        + ": missing (a language folder holds subject.txt, body.html, body.txt)");
    }

    @Test
    void anUnescapedVariableInHtmlIsRefused() throws Exception {
        write(dir, "welcome", "en", "Welcome\n", "<p>\n{{{name}}}</p>", "{{{name}}}");

        assertThat(problems())
                .singleElement()
                .asString()
                .contains(dir.resolve("welcome/en/body.html") + ", line 2: 'name' would be inserted unescaped");
    }

    @Test
    void aVariableThatStartsALinkMustBeAUrlVariable() throws Exception {
        write(dir, "welcome", "en", "Welcome\n", "<a href=\"{{next}}\">go</a>", "{{next}}");

        assertThat(problems())
                .singleElement()
                .asString()
                .contains(dir.resolve("welcome/en/body.html") + ", line 1: 'next' starts a link")
                .contains("nextUrl");
    }

    @Test
    void aLinkWithAFixedStartOrAUrlVariableIsAccepted() throws Exception {
        write(
                dir,
                "welcome",
                "en",
                "Welcome\n",
                "<a href=\"https://example.com/c?t={{token}}\">a</a> <a href='{{ nextUrl }}'>b</a>",
                "{{nextUrl}}");

        assertThat(readDir().find("welcome", List.of()).orElseThrow().required())
                .containsExactly("nextUrl", "token");
    }

    @Test
    void partialsDottedNamesAndDelimiterChangesAreRefused() throws Exception {
        write(dir, "a", "en", "A\n", "{{> footer}}", "x");
        write(dir, "b", "en", "B\n", "<p>{{user.name}}</p>", "x");
        write(dir, "c", "en", "C\n", "<p>x</p>", "{{=<% %>=}}<%name%>");

        assertThat(problems())
                .hasSize(3)
                .anySatisfy(p ->
                        assertThat(p).contains("a/en/body.html, line 1: partials ({{> footer}}) are not supported"))
                .anySatisfy(p -> assertThat(p).contains("b/en/body.html, line 1: 'user.name' is not a variable name"))
                .anySatisfy(p -> assertThat(p)
                        .contains("c/en/body.txt: changing the delimiters ({{=<% %>=}}) is not supported"));
    }

    @Test
    void aVariableInAnUnquotedAttributeIsRefused() throws Exception {
        write(dir, "welcome", "en", "Welcome\n", "<p>\n<img alt={{name}} src=\"x.png\"></p>", "x");

        assertThat(problems())
                .singleElement()
                .asString()
                .contains(dir.resolve("welcome/en/body.html")
                        + ", line 2: the value of 'alt' holds a variable without quotes");
    }

    @Test
    void aSubjectMustBeOneLine() throws Exception {
        write(dir, "welcome", "en", "Welcome\nto the club\n", "<p>x</p>", "x");
        write(dir, "empty", "en", "  \n", "<p>x</p>", "x");

        assertThat(problems())
                .containsExactlyInAnyOrder(
                        "EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("welcome/en/subject.txt")
                                + ": the subject must be one line of text, not empty",
                        "EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("empty/en/subject.txt")
                                + ": the subject must be one line of text, not empty");
    }

    @Test
    void misnamedFilesAndFoldersAreNamed() throws Exception {
        writeWelcome("en");
        Files.writeString(dir.resolve("welcome/en/Body.HTML"), "x");
        writeWelcome("fr_FR");
        Files.writeString(dir.resolve("README.md"), "x");
        Files.createDirectories(dir.resolve("empty"));

        assertThat(problems())
                .containsExactlyInAnyOrder(
                        "EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("README.md")
                                + ": not a folder (the templates folder holds one folder per template)",
                        "EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("empty")
                                + ": holds no language folder (such as en/)",
                        "EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("welcome/en/Body.HTML")
                                + ": unexpected (a language folder holds subject.txt, body.html, body.txt)",
                        "EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("welcome/fr_FR")
                                + ": 'fr_FR' is not a language tag such as en, fr or fr-CA");
    }

    @Test
    void aFileThatIsNotUtf8IsNamed() throws Exception {
        writeWelcome("en");
        Files.write(dir.resolve("welcome/en/body.txt"), new byte[] {'C', 'a', 'f', (byte) 0xE9});

        assertThat(problems())
                .containsExactly("EMAIL_TEMPLATES_DIR has a broken template: " + dir.resolve("welcome/en/body.txt")
                        + ": not UTF-8 text");
    }

    @Test
    void everyTemplateMustExistInTheDefaultLanguage() throws Exception {
        writeWelcome("fr");

        assertThat(problems())
                .containsExactly("EMAIL_DEFAULT_LOCALE is 'en' but template 'welcome' has no version in it (it has:"
                        + " fr): add one, or choose one of those");
        assertThat(problems("EMAIL_DEFAULT_LOCALE", "de"))
                .hasSize(2)
                .allSatisfy(p -> assertThat(p).startsWith("EMAIL_DEFAULT_LOCALE is 'de' but template '"));
        assertThat(readDir("EMAIL_DEFAULT_LOCALE", "fr").names()).containsExactly("confirmation", "welcome");
    }

    @Test
    void badSettingsAreNamed() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> read(Map.of(
                        "EMAIL_TEMPLATES_DIR", dir.resolve("nowhere").toString(), "EMAIL_DEFAULT_LOCALE", "en_US!")));

        assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "EMAIL_TEMPLATES_DIR must name a folder of templates but '" + dir.resolve("nowhere")
                                + "' is not one",
                        "EMAIL_DEFAULT_LOCALE must be a language tag such as en, fr or fr-CA but was 'en_US!'");
    }
}
