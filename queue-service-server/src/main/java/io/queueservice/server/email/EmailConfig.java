package io.queueservice.server.email;

import io.queueservice.config.ConfigReader;
import java.util.Objects;

/**
 * What the email worker needs besides the broker: where it sends ({@link SmtpConfig}) and what it renders
 * ({@link EmailTemplates}, read and checked when this is built).
 */
public record EmailConfig(SmtpConfig smtp, EmailTemplates templates) {
    public EmailConfig {
        Objects.requireNonNull(smtp, "smtp");
        Objects.requireNonNull(templates, "templates");
    }

    /**
     * Reads the {@code SMTP_*} settings ({@link SmtpConfig#from}), {@code EMAIL_TEMPLATES_DIR} and {@code
     * EMAIL_DEFAULT_LOCALE} ({@link EmailTemplates#from}), recording every problem in {@code env}; call
     * {@link ConfigReader#validate()} afterwards.
     */
    public static EmailConfig from(ConfigReader env) {
        return new EmailConfig(SmtpConfig.from(env), EmailTemplates.from(env));
    }
}
