package io.queueservice.config;

import io.github.cdimascio.dotenv.Dotenv;
import io.github.cdimascio.dotenv.DotenvEntry;
import io.github.cdimascio.dotenv.DotenvException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where settings come from: a {@code .env} file, overlaid by the process environment (the environment
 * wins, so a deployment can always override what a developer left in the file).
 */
public final class EnvSource {
    private EnvSource() {}

    /**
     * Reads {@code dotenvFile} when it exists and overlays {@code environment}.
     *
     * @throws ConfigException when the file exists but cannot be parsed
     */
    public static Map<String, String> load(Path dotenvFile, Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>();
        if (Files.isRegularFile(dotenvFile)) {
            try {
                Path dir = dotenvFile.toAbsolutePath().getParent();
                Dotenv dotenv = Dotenv.configure()
                        .directory(dir.toString())
                        .filename(dotenvFile.getFileName().toString())
                        .load();
                for (DotenvEntry e : dotenv.entries(Dotenv.Filter.DECLARED_IN_ENV_FILE)) {
                    merged.put(e.getKey(), e.getValue());
                }
            } catch (DotenvException e) {
                throw new ConfigException(List.of(dotenvFile + " cannot be read: " + e.getMessage()));
            }
        }
        merged.putAll(environment);
        return merged;
    }
}
