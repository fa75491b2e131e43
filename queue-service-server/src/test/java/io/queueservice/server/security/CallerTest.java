package io.queueservice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scope rules, one by one. */
class CallerTest {
    private static Caller with(String... scopes) {
        return new Caller("s", Set.of(scopes), false);
    }

    @Test
    void publishAllowsEveryExchangeAndPublishXOnlyX() {
        assertThat(with("publish").mayPublishTo("orders")).isTrue();
        assertThat(with("publish").mayPublishTo("")).isTrue();
        assertThat(with("publish:orders").mayPublishTo("orders")).isTrue();
        assertThat(with("publish:orders").mayPublishTo("payments")).isFalse();
        assertThat(with("publish:orders").mayPublishTo("")).isFalse();
        assertThat(with("publish:amq.default").mayPublishTo("")).isTrue();
        assertThat(with("publish:orders").allows(Scope.PUBLISH)).isTrue();
        assertThat(with("topology:write").allows(Scope.PUBLISH)).isFalse();
        assertThat(with("publisher").allows(Scope.PUBLISH)).isFalse();
    }

    @Test
    void topologyWriteIncludesReadButNotTheOtherWayRound() {
        assertThat(with("topology:write").allows(Scope.TOPOLOGY_READ)).isTrue();
        assertThat(with("topology:read").allows(Scope.TOPOLOGY_WRITE)).isFalse();
        assertThat(with("topology:read").allows(Scope.METRICS_READ)).isFalse();
        assertThat(with("metrics:read").allows(Scope.METRICS_READ)).isTrue();
        assertThat(with().allows(Scope.TOPOLOGY_READ)).isFalse();
    }

    @Test
    void theAnonymousCallerOfAuthModeNoneMayDoEverything() {
        Caller anonymous = Caller.anonymous();
        for (Scope s : Scope.values()) {
            assertThat(anonymous.allows(s)).isTrue();
        }
        assertThat(anonymous.mayPublishTo("anything")).isTrue();
    }
}
