package io.queueservice.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Typed access to settings that collects every problem instead of stopping at the first, so a user
 * fixes a bad configuration in one go. Each message names the variable and the value it had.
 *
 * <p>Usage: read every setting, then call {@link #validate()}, which throws one {@link ConfigException}
 * listing everything that was wrong.
 */
public final class ConfigReader {
    private final Map<String, String> values;
    private final List<String> problems = new ArrayList<>();
    /** Every variable asked for, set or not: what this configuration reads (see {@link #namesRead()}). */
    private final Set<String> namesRead = new LinkedHashSet<>();

    public ConfigReader(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The raw value, trimmed; empty when unset or blank. */
    public Optional<String> raw(String name) {
        namesRead.add(name);
        String v = values.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String string(String name, String defaultValue) {
        return raw(name).orElse(defaultValue);
    }

    /** An integer within [min, max]. */
    public int integer(String name, int defaultValue, int min, int max) {
        return (int) longValue(name, defaultValue, min, max);
    }

    public long longValue(String name, long defaultValue, long min, long max) {
        Optional<String> v = raw(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(v.get());
            if (parsed < min || parsed > max) {
                problem(name, "must be between " + min + " and " + max + " but was '" + v.get() + "'");
                return defaultValue;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problem(name, "must be an integer but was '" + v.get() + "'");
            return defaultValue;
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> v = raw(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                problem(name, "must be true or false but was '" + v.get() + "'");
                yield defaultValue;
            }
        };
    }

    /** One of {@code allowed} (compared case-insensitively, returned in lower case). */
    public String oneOf(String name, String defaultValue, Set<String> allowed) {
        String written = string(name, defaultValue);
        String v = written.toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            problem(name, "must be one of " + allowed.stream().sorted().toList() + " but was '" + written + "'");
            return defaultValue;
        }
        return v;
    }

    /** A path to a readable regular file, or empty when unset. */
    public Optional<Path> readableFile(String name) {
        Optional<String> v = raw(name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(v.get());
        if (!Files.isRegularFile(p)) {
            problem(name, "must name an existing file but '" + v.get() + "' is not one");
        } else if (!Files.isReadable(p)) {
            problem(name, "names '" + v.get() + "', which cannot be read");
        }
        return Optional.of(p);
    }

    /**
     * The names of the variables read so far, whether set or not, in the order first read. Every typed
     * getter reads through {@link #raw}, so after a config is built from this reader this is the list of
     * variables it understands; the deployment files are checked against it.
     */
    public Set<String> namesRead() {
        return Collections.unmodifiableSet(namesRead);
    }

    /** Records a problem with a variable; the message must not contain secrets. */
    public void problem(String name, String message) {
        problems.add(name + " " + message);
    }

    /** Whether a problem was recorded for this variable, so checks that combine it can be skipped. */
    public boolean hasProblem(String name) {
        return problems.stream().anyMatch(p -> p.startsWith(name + " "));
    }

    /** @throws ConfigException listing every problem recorded so far */
    public void validate() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
