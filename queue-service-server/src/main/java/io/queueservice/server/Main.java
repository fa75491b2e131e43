package io.queueservice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.queueservice.config.ConfigException;
import io.queueservice.config.EnvSource;
import io.queueservice.server.email.RenderEmailCommand;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Entry point: reads the configuration, starts the service, stops it cleanly on SIGTERM. */
public final class Main {
    /** Libraries whose own INFO and DEBUG lines say nothing an operator of this service needs. */
    private static final List<String> NOISY_LIBRARIES =
            List.of("io.vertx", "io.netty", "com.rabbitmq", "io.github.resilience4j");

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("consume") || args[0].equals("render-email"))) {
            // Standard output carries the messages or the email: logs go to standard error (read by
            // logback.xml, which is only loaded by the first logger, below).
            System.setProperty("LOG_TARGET", "System.err");
        }
        Mode mode;
        try {
            mode = Mode.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ServerConfig config;
        try {
            config = ServerConfig.from(EnvSource.load(Path.of(".env"), System.getenv()), mode.api());
        } catch (ConfigException e) {
            System.err.println("queue-service cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogFormat.apply(config.logFormat());
        Mode.Serve serving;
        switch (mode) {
            case Mode.Print p -> {
                applyLogLevel("warn"); // messages go to standard output: keep log lines out of it
                System.exit(PrintConsumer.run(config.broker(), p.queue()) ? 0 : 1);
                return;
            }
            case Mode.RenderEmail r -> {
                applyLogLevel("warn");
                System.exit(RenderEmailCommand.run(config.email(), r.file(), System.in, System.out, System.err));
                return;
            }
            case Mode.Serve s -> serving = s;
        }
        applyLogLevel(config.logLevel());
        QueueService service;
        try {
            service = QueueService.start(config, serving);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Main.class).error("queue-service cannot start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::stop, "shutdown"));
    }

    static void applyLogLevel(String logLevel) {
        Level level = Level.toLevel(logLevel, Level.INFO);
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(level);
        Level libraries = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
        NOISY_LIBRARIES.forEach(name -> ((Logger) LoggerFactory.getLogger(name)).setLevel(libraries));
    }
}
