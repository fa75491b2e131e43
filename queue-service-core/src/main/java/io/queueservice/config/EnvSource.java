package io.queueservice.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where settings come from: a {@code .env} file, overlaid by the process environment (the environment
 * wins, so a deployment can always override what a developer left in the file).
 *
 * <p>The file format is the one {@code scripts/lib.sh} reads, so both agree on every line: {@code
 * KEY=value}, optionally after {@code export}, the value trimmed and stripped of one pair of single or
 * double quotes; blank lines and lines starting with {@code #} are ignored. Nothing is expanded. A
 * malformed line is reported by its number only: it may hold a secret.
 */
public final class EnvSource {
    private static final Pattern ENTRY = Pattern.compile("^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=(.*)$");

    private EnvSource() {}

    /**
     * Reads {@code dotenvFile} when it exists and overlays {@code environment}.
     *
     * @throws ConfigException when the file exists but cannot be read or has a malformed line
     */
    public static Map<String, String> load(Path dotenvFile, Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>();
        if (Files.isRegularFile(dotenvFile)) {
            merged.putAll(parse(dotenvFile));
        }
        merged.putAll(environment);
        return merged;
    }

    private static Map<String, String> parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(
                    List.of(file + " cannot be read: " + e.getClass().getSimpleName()));
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = ENTRY.matcher(line);
            if (!m.matches()) {
                throw new ConfigException(List.of(file + " line " + (i + 1) + " is not of the form KEY=value"));
            }
            values.put(m.group(1), unquote(m.group(2).strip()));
        }
        return values;
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2
                && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"));
        return quoted ? value.substring(1, value.length() - 1) : value;
    }
}
