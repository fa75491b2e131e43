package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class QueueSpecTest {

    /** A mutable stand-in for the builder, so each test sets only what it is about. */
    static final class Q {
        String name = "orders";
        QueueType type;
        boolean durable = true;
        boolean autoDelete;
        String deadLetterExchange;
        String deadLetterRoutingKey;
        Long messageTtl;
        Long maxLength;
        Long maxLengthBytes;
        Overflow overflow;
        Integer maxPriority;
        boolean lazy;
        Map<String, Object> arguments = new HashMap<>();
        Integer deliveryLimit;
        DeadLetterStrategy deadLetterStrategy;
        Integer quorumInitialGroupSize;

        QueueSpec spec() {
            return QueueSpec.builder(name)
                    .type(type)
                    .durable(durable)
                    .autoDelete(autoDelete)
                    .deadLetterExchange(deadLetterExchange)
                    .deadLetterRoutingKey(deadLetterRoutingKey)
                    .messageTtl(messageTtl)
                    .maxLength(maxLength)
                    .maxLengthBytes(maxLengthBytes)
                    .overflow(overflow)
                    .maxPriority(maxPriority)
                    .lazy(lazy)
                    .arguments(arguments)
                    .deliveryLimit(deliveryLimit)
                    .deadLetterStrategy(deadLetterStrategy)
                    .quorumInitialGroupSize(quorumInitialGroupSize)
                    .build();
        }
    }

    private static QueueSpec spec(Consumer<Q> settings) {
        Q q = new Q();
        settings.accept(q);
        return q.spec();
    }

    private static List<Violation> violations(Consumer<Q> settings) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, spec(settings)::validate);
        assertThat(e).as("validate() should refuse the spec").isNotNull();
        return e.violations();
    }

    private static List<String> fields(Consumer<Q> settings) {
        return violations(settings).stream().map(Violation::field).toList();
    }

    private static void assertValid(Consumer<Q> settings) {
        assertThatCode(spec(settings)::validate).doesNotThrowAnyException();
    }

    // --- names

    @Test
    void plainDurableQueueIsValid() {
        assertThatCode(QueueSpec.durable("orders")::validate).doesNotThrowAnyException();
        assertThat(QueueSpec.durable("orders").amqpArguments()).isEmpty();
        assertThat(QueueSpec.durable("orders").durable()).isTrue();
    }

    @Test
    void emptyNameIsRefused() {
        assertThat(violations(q -> q.name = ""))
                .containsExactly(new Violation("name", "is required and must not be empty"));
    }

    @Test
    void missingNameIsRefused() {
        assertThat(fields(q -> q.name = null)).containsExactly("name");
    }

    @Test
    void nameOf255BytesIsAccepted() {
        assertValid(q -> q.name = "q".repeat(255));
    }

    @Test
    void nameOver255BytesIsRefused() {
        assertThat(violations(q -> q.name = "q".repeat(256)))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("name"))
                .satisfies(v -> assertThat(v.message()).contains("255").contains("256"));
    }

    @Test
    void nameLengthCountsUtf8BytesNotCharacters() {
        // 128 characters, 256 bytes of UTF-8
        assertThat(violations(q -> q.name = "é".repeat(128)))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("name"))
                .satisfies(v -> assertThat(v.message()).contains("256"));
        // 85 characters, 255 bytes
        assertValid(q -> q.name = "€".repeat(85));
        // 64 characters, 256 bytes
        assertThat(fields(q -> q.name = "😀".repeat(64))).containsExactly("name");
    }

    @Test
    void reservedAmqPrefixIsRefused() {
        assertThat(violations(q -> q.name = "amq.orders"))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("name"))
                .satisfies(v -> assertThat(v.message()).contains("amq."));
    }

    @Test
    void amqWithoutTheDotIsAllowed() {
        assertValid(q -> q.name = "amqueue");
    }

    // --- dead lettering

    @Test
    void deadLetterRoutingKeyWithoutExchangeIsRefused() {
        assertThat(violations(q -> q.deadLetterRoutingKey = "failed"))
                .containsExactly(new Violation("deadLetterRoutingKey", "needs deadLetterExchange"));
    }

    @Test
    void deadLetterRoutingKeyWithExchangeIsAccepted() {
        assertValid(q -> {
            q.deadLetterExchange = "dlx";
            q.deadLetterRoutingKey = "failed";
        });
    }

    @Test
    void deadLetteringToTheDefaultExchangeIsAccepted() {
        assertValid(q -> {
            q.deadLetterExchange = "";
            q.deadLetterRoutingKey = "orders.dead";
        });
    }

    @Test
    void overlongDeadLetterNamesAreRefused() {
        assertThat(fields(q -> {
                    q.deadLetterExchange = "x".repeat(256);
                    q.deadLetterRoutingKey = "k".repeat(256);
                }))
                .containsExactlyInAnyOrder("deadLetterExchange", "deadLetterRoutingKey");
    }

    // --- ranges

    @Test
    void messageTtlRangeIsZeroToUnsigned32Bits() {
        assertValid(q -> q.messageTtl = 0L);
        assertValid(q -> q.messageTtl = 4_294_967_295L);
        assertThat(violations(q -> q.messageTtl = 4_294_967_296L))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("messageTtl"))
                .satisfies(v -> assertThat(v.message()).contains("4294967295").contains("4294967296"));
        assertThat(fields(q -> q.messageTtl = -1L)).containsExactly("messageTtl");
    }

    @Test
    void negativeLengthLimitsAreRefused() {
        assertValid(q -> {
            q.maxLength = 0L;
            q.maxLengthBytes = 0L;
        });
        assertThat(fields(q -> {
                    q.maxLength = -1L;
                    q.maxLengthBytes = -5L;
                }))
                .containsExactlyInAnyOrder("maxLength", "maxLengthBytes");
    }

    @Test
    void maxPriorityMustBeBetween1And255() {
        assertValid(q -> q.maxPriority = 1);
        assertValid(q -> q.maxPriority = 255);
        assertThat(violations(q -> q.maxPriority = 0))
                .containsExactly(new Violation("maxPriority", "must be between 1 and 255 but was 0"));
        assertThat(fields(q -> q.maxPriority = 256)).containsExactly("maxPriority");
    }

    // --- queue types

    @ParameterizedTest
    @EnumSource(
            value = QueueType.class,
            names = {"QUORUM", "STREAM"})
    void replicatedQueuesMustBeDurable(QueueType type) {
        assertThat(violations(q -> {
                    q.type = type;
                    q.durable = false;
                }))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("durable");
                    assertThat(v.message()).contains(type.amqpName());
                });
    }

    @ParameterizedTest
    @EnumSource(
            value = QueueType.class,
            names = {"QUORUM", "STREAM"})
    void replicatedQueuesCannotBeAutoDelete(QueueType type) {
        assertThat(fields(q -> {
                    q.type = type;
                    q.autoDelete = true;
                }))
                .containsExactly("autoDelete");
    }

    @ParameterizedTest
    @EnumSource(
            value = QueueType.class,
            names = {"QUORUM", "STREAM"})
    void replicatedQueuesHaveNoPriorities(QueueType type) {
        assertThat(violations(q -> {
                    q.type = type;
                    q.maxPriority = 10;
                }))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("maxPriority");
                    assertThat(v.message()).contains("priorities");
                });
    }

    @ParameterizedTest
    @EnumSource(
            value = QueueType.class,
            names = {"QUORUM", "STREAM"})
    void replicatedQueuesCannotBeLazy(QueueType type) {
        assertThat(fields(q -> {
                    q.type = type;
                    q.lazy = true;
                }))
                .containsExactly("lazy");
    }

    @Test
    void classicQueuesMayBeTransientAutoDeleteLazyWithPriorities() {
        assertValid(q -> {
            q.type = QueueType.CLASSIC;
            q.durable = false;
            q.autoDelete = true;
            q.lazy = true;
            q.maxPriority = 10;
            q.overflow = Overflow.REJECT_PUBLISH_DLX;
        });
    }

    @Test
    void quorumQueuesRefuseRejectPublishDlx() {
        assertThat(violations(q -> {
                    q.type = QueueType.QUORUM;
                    q.overflow = Overflow.REJECT_PUBLISH_DLX;
                }))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("overflow"));
    }

    @Test
    void quorumQueuesAcceptTheirOptions() {
        assertValid(q -> {
            q.type = QueueType.QUORUM;
            q.overflow = Overflow.REJECT_PUBLISH;
            q.deadLetterExchange = "dlx";
            q.deadLetterRoutingKey = "dead";
            q.messageTtl = 60_000L;
            q.maxLength = 1000L;
            q.maxLengthBytes = 1_000_000L;
        });
    }

    @Test
    void streamsRefuseDeadLetteringTtlMaxLengthAndOverflow() {
        List<Violation> v = violations(q -> {
            q.type = QueueType.STREAM;
            q.deadLetterExchange = "dlx";
            q.messageTtl = 1000L;
            q.maxLength = 10L;
            q.overflow = Overflow.DROP_HEAD;
        });

        assertThat(v)
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("deadLetterExchange", "messageTtl", "maxLength", "overflow");
        assertThat(v).allSatisfy(x -> assertThat(x.message()).contains("stream"));
    }

    @Test
    void streamsAcceptMaxLengthBytes() {
        assertValid(q -> {
            q.type = QueueType.STREAM;
            q.maxLengthBytes = 1_000_000_000L;
        });
    }

    // --- arguments

    @Test
    void optionAndItsArgumentTogetherAreAConflict() {
        assertThat(violations(q -> {
                    q.messageTtl = 1000L;
                    q.arguments.put("x-message-ttl", 2000);
                }))
                .containsExactly(new Violation("arguments.x-message-ttl", "conflicts with messageTtl: set only one"));
    }

    @Test
    void everyOptionConflictsWithItsArgument() {
        List<Violation> v = violations(q -> {
            q.type = QueueType.CLASSIC;
            q.deadLetterExchange = "dlx";
            q.deadLetterRoutingKey = "dead";
            q.messageTtl = 1L;
            q.maxLength = 1L;
            q.maxLengthBytes = 1L;
            q.overflow = Overflow.DROP_HEAD;
            q.maxPriority = 5;
            q.lazy = true;
            for (String key : List.of(
                    "x-queue-type",
                    "x-dead-letter-exchange",
                    "x-dead-letter-routing-key",
                    "x-message-ttl",
                    "x-max-length",
                    "x-max-length-bytes",
                    "x-overflow",
                    "x-max-priority",
                    "x-queue-mode")) {
                q.arguments.put(key, "set");
            }
        });

        assertThat(v)
                .extracting(Violation::field)
                .containsExactlyInAnyOrder(
                        "arguments.x-queue-type",
                        "arguments.x-dead-letter-exchange",
                        "arguments.x-dead-letter-routing-key",
                        "arguments.x-message-ttl",
                        "arguments.x-max-length",
                        "arguments.x-max-length-bytes",
                        "arguments.x-overflow",
                        "arguments.x-max-priority",
                        "arguments.x-queue-mode");
        assertThat(v)
                .filteredOn(x -> x.field().endsWith("x-queue-type"))
                .singleElement()
                .satisfies(x -> assertThat(x.message()).contains("type"));
        assertThat(v)
                .filteredOn(x -> x.field().endsWith("x-queue-mode"))
                .singleElement()
                .satisfies(x -> assertThat(x.message()).contains("lazy"));
    }

    @Test
    void argumentsAloneAreNoConflict() {
        assertValid(q -> {
            q.arguments.put("x-message-ttl", 2000);
            q.arguments.put("x-single-active-consumer", true);
        });
    }

    @Test
    void unsupportedArgumentValueIsRefusedWithItsPath() {
        assertThat(violations(q -> q.arguments.put("x-expires", new java.util.Date())))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("arguments.x-expires");
                    assertThat(v.message()).contains("Date");
                });
    }

    @Test
    void everyViolationIsReportedAtOnce() {
        assertThat(fields(q -> {
                    q.name = "amq.q";
                    q.type = QueueType.QUORUM;
                    q.durable = false;
                    q.maxPriority = 300;
                    q.deadLetterRoutingKey = "k";
                }))
                .contains("name", "durable", "maxPriority", "deadLetterRoutingKey");
    }

    @Test
    void amqpArgumentsMapEachOptionToItsXArgument() {
        Map<String, Object> args = spec(q -> {
                    q.type = QueueType.CLASSIC;
                    q.deadLetterExchange = "dlx";
                    q.deadLetterRoutingKey = "dead";
                    q.messageTtl = 1000L;
                    q.maxLength = 10L;
                    q.maxLengthBytes = 2048L;
                    q.overflow = Overflow.REJECT_PUBLISH_DLX;
                    q.maxPriority = 7;
                    q.lazy = true;
                    q.arguments.put("x-expires", 60_000);
                })
                .amqpArguments();

        assertThat(args)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "x-queue-type",
                        "classic",
                        "x-dead-letter-exchange",
                        "dlx",
                        "x-dead-letter-routing-key",
                        "dead",
                        "x-message-ttl",
                        1000L,
                        "x-max-length",
                        10L,
                        "x-max-length-bytes",
                        2048L,
                        "x-overflow",
                        "reject-publish-dlx",
                        "x-max-priority",
                        7,
                        "x-queue-mode",
                        "lazy",
                        "x-expires",
                        60_000));
    }

    @ParameterizedTest
    @EnumSource(Overflow.class)
    void overflowUsesTheBrokersSpelling(Overflow overflow) {
        assertThat(spec(q -> q.overflow = overflow).amqpArguments())
                .containsEntry("x-overflow", overflow.name().toLowerCase().replace('_', '-'));
    }

    @ParameterizedTest
    @EnumSource(QueueType.class)
    void typeUsesTheBrokersSpelling(QueueType type) {
        assertThat(spec(q -> q.type = type).amqpArguments())
                .containsEntry("x-queue-type", type.name().toLowerCase());
    }

    @Test
    void unsetOptionsAddNoArguments() {
        assertThat(spec(q -> q.lazy = false).amqpArguments()).isEmpty();
    }

    @Test
    void nullArgumentsBecomeAnEmptyMap() {
        QueueSpec s = QueueSpec.builder("q").arguments(null).build();

        assertThat(s.arguments()).isEmpty();
        assertThatCode(s::validate).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "orders.eu-west.v2", "日本語のキュー"})
    void ordinaryNamesAreValid(String name) {
        assertValid(q -> q.name = name);
    }

    // --- quorum options

    @Test
    void quorumOptionsBecomeTheirArguments() {
        QueueSpec s = spec(q -> {
            q.type = QueueType.QUORUM;
            q.deliveryLimit = 3;
            q.deadLetterStrategy = DeadLetterStrategy.AT_LEAST_ONCE;
            q.overflow = Overflow.REJECT_PUBLISH;
            q.deadLetterExchange = "dlx";
            q.quorumInitialGroupSize = 3;
        });

        assertThatCode(s::validate).doesNotThrowAnyException();
        assertThat(s.amqpArguments())
                .containsEntry("x-delivery-limit", 3)
                .containsEntry("x-dead-letter-strategy", "at-least-once")
                .containsEntry("x-overflow", "reject-publish")
                .containsEntry("x-dead-letter-exchange", "dlx")
                .containsEntry("x-quorum-initial-group-size", 3);
    }

    @ParameterizedTest
    @EnumSource(DeadLetterStrategy.class)
    void deadLetterStrategyUsesTheBrokersSpelling(DeadLetterStrategy strategy) {
        assertThat(spec(q -> {
                            q.type = QueueType.QUORUM;
                            q.deadLetterStrategy = strategy;
                        })
                        .amqpArguments())
                .containsEntry(
                        "x-dead-letter-strategy", strategy.name().toLowerCase().replace('_', '-'));
    }

    @Test
    void quorumOptionsWithoutATypeAskForQuorum() {
        List<Violation> v = violations(q -> {
            q.deliveryLimit = 3;
            q.deadLetterStrategy = DeadLetterStrategy.AT_MOST_ONCE;
            q.quorumInitialGroupSize = 3;
        });

        assertThat(v)
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("deliveryLimit", "deadLetterStrategy", "quorumInitialGroupSize");
        assertThat(v).allSatisfy(x -> assertThat(x.message()).contains("set type to quorum"));
    }

    @ParameterizedTest
    @EnumSource(
            value = QueueType.class,
            names = {"CLASSIC", "STREAM"})
    void quorumOptionsAreRefusedOnOtherTypes(QueueType type) {
        List<Violation> v = violations(q -> {
            q.type = type;
            q.deliveryLimit = 3;
        });

        assertThat(v).singleElement().satisfies(x -> {
            assertThat(x.field()).isEqualTo("deliveryLimit");
            assertThat(x.message()).contains("quorum queues only", type.amqpName());
        });
    }

    @Test
    void quorumOptionsFollowATypeGivenAsArgument() {
        assertValid(q -> {
            q.arguments.put("x-queue-type", "quorum");
            q.deliveryLimit = 5;
        });
        assertThat(fields(q -> {
                    q.arguments.put("x-queue-type", "quorum");
                    q.maxPriority = 5;
                }))
                .containsExactly("maxPriority");
    }

    @Test
    void deliveryLimitAndGroupSizeHaveTheirRanges() {
        assertThat(violations(q -> {
                    q.type = QueueType.QUORUM;
                    q.deliveryLimit = -1;
                    q.quorumInitialGroupSize = 0;
                }))
                .extracting(Violation::field, Violation::message)
                .containsExactlyInAnyOrder(
                        tuple("deliveryLimit", "must be between 0 and 2147483647 but was -1"),
                        tuple("quorumInitialGroupSize", "must be between 1 and 2147483647 but was 0"));
        assertValid(q -> {
            q.type = QueueType.QUORUM;
            q.deliveryLimit = 0;
            q.quorumInitialGroupSize = 1;
        });
    }

    @Test
    void atLeastOnceDeadLetteringNeedsRejectPublishAndADeadLetterExchange() {
        List<Violation> v = violations(q -> {
            q.type = QueueType.QUORUM;
            q.deadLetterStrategy = DeadLetterStrategy.AT_LEAST_ONCE;
        });

        assertThat(v).extracting(Violation::field).containsExactlyInAnyOrder("overflow", "deadLetterExchange");
        assertThat(v)
                .filteredOn(x -> x.field().equals("overflow"))
                .singleElement()
                .satisfies(
                        x -> assertThat(x.message())
                                .isEqualTo(
                                        "must be reject-publish for deadLetterStrategy at-least-once but was not set (drop-head)"));
    }

    @Test
    void atLeastOnceDeadLetteringRefusesDropHead() {
        assertThat(violations(q -> {
                    q.type = QueueType.QUORUM;
                    q.deadLetterStrategy = DeadLetterStrategy.AT_LEAST_ONCE;
                    q.deadLetterExchange = "";
                    q.overflow = Overflow.DROP_HEAD;
                }))
                .singleElement()
                .satisfies(x -> {
                    assertThat(x.field()).isEqualTo("overflow");
                    assertThat(x.message()).endsWith("but was 'drop-head'");
                });
    }

    @Test
    void atLeastOnceDeadLetteringAcceptsOverflowAndExchangeGivenAsArguments() {
        assertValid(q -> {
            q.type = QueueType.QUORUM;
            q.deadLetterStrategy = DeadLetterStrategy.AT_LEAST_ONCE;
            q.arguments.put("x-overflow", "reject-publish");
            q.arguments.put("x-dead-letter-exchange", "dlx");
        });
    }

    @Test
    void atMostOnceDeadLetteringNeedsNothingElse() {
        assertValid(q -> {
            q.type = QueueType.QUORUM;
            q.deadLetterStrategy = DeadLetterStrategy.AT_MOST_ONCE;
        });
    }

    @Test
    void aQuorumOptionAlsoSetAsArgumentIsAConflict() {
        assertThat(fields(q -> {
                    q.type = QueueType.QUORUM;
                    q.deliveryLimit = 3;
                    q.arguments.put("x-delivery-limit", 4);
                }))
                .containsExactly("arguments.x-delivery-limit");
    }

    @Test
    void aSpecBuiltWithoutQuorumOptionsHasNone() {
        QueueSpec s = QueueSpec.builder("q").type(QueueType.QUORUM).build();

        assertThat(s.deliveryLimit()).isNull();
        assertThat(s.deadLetterStrategy()).isNull();
        assertThat(s.quorumInitialGroupSize()).isNull();
        assertThat(s.amqpArguments()).containsExactly(Map.entry("x-queue-type", "quorum"));
    }

    // --- the default type

    @ParameterizedTest
    @EnumSource(
            value = QueueType.class,
            names = {"CLASSIC", "QUORUM"})
    void aQueueWithoutATypeGetsTheDefault(QueueType type) {
        QueueSpec s = QueueSpec.durable("orders").withDefaultType(type);

        assertThat(s.type()).isEqualTo(type);
        assertThat(s.effectiveType()).isEqualTo(type);
        assertThat(s.amqpArguments()).containsExactly(Map.entry("x-queue-type", type.amqpName()));
    }

    @Test
    void withoutADefaultNoTypeIsSent() {
        QueueSpec s = QueueSpec.durable("orders").withDefaultType(null);

        assertThat(s.type()).isNull();
        assertThat(s.effectiveType()).isNull();
        assertThat(s.amqpArguments()).doesNotContainKey("x-queue-type");
    }

    @Test
    void anExplicitTypeWinsOverTheDefault() {
        assertThat(spec(q -> q.type = QueueType.CLASSIC)
                        .withDefaultType(QueueType.QUORUM)
                        .type())
                .isEqualTo(QueueType.CLASSIC);
        QueueSpec byArgument =
                spec(q -> q.arguments.put("x-queue-type", "classic")).withDefaultType(QueueType.QUORUM);
        assertThat(byArgument.type()).isNull();
        assertThat(byArgument.effectiveType()).isEqualTo(QueueType.CLASSIC);
        assertThat(byArgument.amqpArguments()).containsExactly(Map.entry("x-queue-type", "classic"));
    }

    @Test
    void transientAndAutoDeleteQueuesStayClassicUnderTheQuorumDefault() {
        assertThat(spec(q -> q.durable = false)
                        .withDefaultType(QueueType.QUORUM)
                        .type())
                .isEqualTo(QueueType.CLASSIC);
        assertThat(spec(q -> q.autoDelete = true)
                        .withDefaultType(QueueType.QUORUM)
                        .type())
                .isEqualTo(QueueType.CLASSIC);
        assertThat(spec(q -> q.durable = false)
                        .withDefaultType(QueueType.CLASSIC)
                        .type())
                .isEqualTo(QueueType.CLASSIC);
    }

    @Test
    void theQuorumDefaultBringsTheQuorumRules() {
        QueueSpec s = spec(q -> q.maxPriority = 5).withDefaultType(QueueType.QUORUM);

        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, s::validate);
        assertThat(e.violations()).extracting(Violation::field).containsExactly("maxPriority");
    }

    // --- the builder, and the caller's field names

    @Test
    void aBuiltQueueIsDurableAndNotAutoDeleteUnlessSaid() {
        QueueSpec s = QueueSpec.builder("orders").build();

        assertThat(s.durable()).isTrue();
        assertThat(s.autoDelete()).isFalse();
        assertThat(s.lazy()).isFalse();
        assertThat(s.type()).isNull();
        assertThat(s.arguments()).isEmpty();
        assertThat(QueueSpec.builder("orders").durable(false).autoDelete(true).build())
                .satisfies(t -> assertThat(t.durable()).isFalse())
                .satisfies(t -> assertThat(t.autoDelete()).isTrue());
    }

    @Test
    void toBuilderKeepsEverySetting() {
        QueueSpec s = spec(q -> {
            q.type = QueueType.QUORUM;
            q.deadLetterExchange = "dlx";
            q.deadLetterRoutingKey = "dead";
            q.messageTtl = 1000L;
            q.maxLength = 10L;
            q.maxLengthBytes = 2048L;
            q.overflow = Overflow.REJECT_PUBLISH;
            q.arguments.put("x-expires", 60_000);
            q.deliveryLimit = 3;
            q.deadLetterStrategy = DeadLetterStrategy.AT_LEAST_ONCE;
            q.quorumInitialGroupSize = 3;
        });
        QueueSpec copy = s.toBuilder().build();

        assertThat(copy.name()).isEqualTo(s.name());
        assertThat(copy.amqpArguments()).isEqualTo(s.amqpArguments()).hasSize(11);
        assertThat(copy.durable()).isEqualTo(s.durable());
        assertThat(copy.autoDelete()).isEqualTo(s.autoDelete());
    }

    /** The server's naming: the name at the top of the JSON body, every option under "options". */
    private static final UnaryOperator<String> JSON_PATH = f -> f.equals("name") ? f : "options." + f;

    private static List<Violation> violations(QueueSpec spec, UnaryOperator<String> fieldName) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> spec.validate(fieldName));
        assertThat(e).as("validate() should refuse the spec").isNotNull();
        return e.violations();
    }

    @Test
    void theCallersFieldNamesReachTheFieldsAndTheMessages() {
        QueueSpec s = spec(q -> {
            q.name = "amq.q";
            q.deadLetterRoutingKey = "k";
            q.messageTtl = -1L;
            q.deliveryLimit = 3;
            q.arguments.put("x-message-ttl", 5);
        });

        assertThat(violations(s, JSON_PATH))
                .extracting(Violation::field, Violation::message)
                .containsExactly(
                        tuple("name", "names starting with 'amq.' are reserved for the broker"),
                        tuple("options.deadLetterRoutingKey", "needs options.deadLetterExchange"),
                        tuple("options.messageTtl", "must be between 0 and 4294967295 but was -1"),
                        tuple("options.deliveryLimit", "is for quorum queues only: set options.type to quorum"),
                        tuple("options.arguments.x-message-ttl", "conflicts with options.messageTtl: set only one"));
        assertThat(violations(s, UnaryOperator.identity()))
                .extracting(Violation::field)
                .containsExactly(
                        "name", "deadLetterRoutingKey", "messageTtl", "deliveryLimit", "arguments.x-message-ttl");
    }

    @Test
    void theCallersFieldNamesReachTheAtLeastOnceRules() {
        QueueSpec s = spec(q -> {
            q.type = QueueType.QUORUM;
            q.deadLetterStrategy = DeadLetterStrategy.AT_LEAST_ONCE;
            q.arguments.put("x-expires", new Object());
        });

        assertThat(violations(s, JSON_PATH))
                .extracting(Violation::field, Violation::message)
                .containsExactly(
                        tuple(
                                "options.overflow",
                                "must be reject-publish for options.deadLetterStrategy at-least-once but was not set"
                                        + " (drop-head)"),
                        tuple("options.deadLetterExchange", "is required by options.deadLetterStrategy at-least-once"),
                        tuple("options.arguments.x-expires", "has an unsupported value type Object"));
    }

    @Test
    void aStreamIsNoDefault() {
        assertThatThrownBy(() -> QueueSpec.durable("q").withDefaultType(QueueType.STREAM))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownTypeArgumentHasNoEffectiveType() {
        assertThat(spec(q -> q.arguments.put("x-queue-type", "mirrored")).effectiveType())
                .isNull();
    }
}
