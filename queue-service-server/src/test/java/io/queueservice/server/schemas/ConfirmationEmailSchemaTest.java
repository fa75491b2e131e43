package io.queueservice.server.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.server.schemas.MessageRejectedException.MessageError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schema of the confirmation email that ships in docs/schemas: what the email worker takes passes, what it
 * would dead-let is refused at the door, each error where it is.
 */
class ConfirmationEmailSchemaTest {
    /** The file as the quick start PUTs it (the tests run in the module's folder). */
    static final Path FILE = Path.of("../docs/schemas/confirmation-email.schema.json");

    private final MessageSchemas schemas = MemorySchemaStore.schemas();

    @BeforeEach
    void attach() throws Exception {
        schemas.define(
                SchemaTarget.routingKey("email", "confirmation"),
                new ObjectMapper().readTree(Files.readString(FILE, StandardCharsets.UTF_8)));
    }

    private List<MessageError> errors(String message) {
        MessageRejectedException e = catchThrowableOfType(
                MessageRejectedException.class,
                () -> schemas.check("email", "confirmation", message.getBytes(StandardCharsets.UTF_8)));
        return e == null ? List.of() : e.errors();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // The examples of docs/email-worker.md.
                "{\"to\": \"Zoé Lefèvre <zoe@example.com>\", \"template\": \"confirmation\", \"locale\": \"fr-CA\","
                        + " \"variables\": {\"userName\": \"Zoé\", \"confirmationUrl\":"
                        + " \"https://example.com/confirm?token=abc123\"}}",
                "{\"to\": \"ada@example.com\", \"subject\": \"Welcome\", \"body\": \"Plain text of the email.\"}",
                "{\"to\": \"user@example.com\", \"subject\": \"Confirm your sign-up\", \"template\": \"confirmation\","
                        + " \"variables\": {\"userName\": \"Ada\", \"confirmationUrl\":"
                        + " \"https://example.com/confirm?token=abc123\"}}",
                "{\"to\": \"ada@example.com\", \"template\": \"welcome\", \"variables\": {\"n\": 3, \"vip\": true}}"
            })
    void whatTheWorkerSendsPasses(String message) {
        assertThat(errors(message)).isEmpty();
    }

    @Test
    void aSignUpWithoutARecipientIsRefusedAtTo() {
        assertThat(errors("{\"template\": \"confirmation\", \"variables\": {\"userName\": \"Ada\","
                        + " \"confirmationUrl\": \"https://example.com/confirm?token=abc123\"}}"))
                .extracting(MessageError::pointer)
                .containsExactly("/to");
    }

    @Test
    void aConfirmationWithoutItsVariablesIsRefusedWhereTheyAreMissing() {
        assertThat(errors("{\"to\": \"ada@example.com\", \"template\": \"confirmation\", \"variables\":"
                        + " {\"confirmationUrl\": \"javascript:alert(1)\"}}"))
                .extracting(MessageError::pointer)
                .containsExactlyInAnyOrder("/variables/userName", "/variables/confirmationUrl");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"to\": \"ada@example.com\"}",
                "{\"to\": \"ada@example.com\", \"template\": \"welcome\", \"body\": \"both\", \"subject\": \"s\"}",
                "{\"to\": \"ada@example.com\", \"body\": \"no subject\"}",
                "{\"to\": \"ada@example.com\", \"subject\": \"two\\nlines\", \"body\": \"b\"}",
                "{\"to\": \"not an address\", \"subject\": \"s\", \"body\": \"b\"}",
                "{\"to\": \"ada@example.com\", \"template\": \"welcome\", \"variables\": {\"n\": {\"nested\": 1}}}",
                "[\"to\", \"ada@example.com\"]"
            })
    void whatTheWorkerWouldDeadLetterIsRefused(String message) {
        assertThat(errors(message)).isNotEmpty();
    }
}
