package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Checks that credentials compare by value and never print their password. */
class RouteAuthTest {

    @Test
    void toStringNeverContainsThePassword() {
        RouteAuth auth = RouteAuth.of("relayuser", "correct horse battery staple", "env RELAY_PW");

        assertThat(auth.toString())
            .doesNotContain("correct horse battery staple")
            .isEqualTo("RouteAuth{user=relayuser, password=<redacted>, source=env RELAY_PW}");
        assertThat(auth.password()).isEqualTo("correct horse battery staple");
    }

    @Test
    void equalityCoversUserPasswordAndSource() {
        RouteAuth auth = RouteAuth.of("u", "p", "env A");

        assertThat(auth).isEqualTo(RouteAuth.of("u", "p", "env A")).hasSameHashCodeAs(RouteAuth.of("u", "p", "env A"));
        assertThat(auth).isNotEqualTo(RouteAuth.of("u", "q", "env A")).isNotEqualTo(RouteAuth.of("v", "p", "env A"));
    }

    @Test
    void refusesBlankUserAndEmptyPassword() {
        assertThatThrownBy(() -> RouteAuth.of(" ", "p", "env A")).hasMessage("user is empty");
        assertThatThrownBy(() -> RouteAuth.of("u", "", "env A")).hasMessage("password from env A is empty");
    }
}
