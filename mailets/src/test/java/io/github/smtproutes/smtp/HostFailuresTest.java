package io.github.smtproutes.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.testing.MovableClock;

/**
 * The failure memory: backoff doubling to its cap, an answer clearing a failure, mail-level
 * failures leaving the host alone, TLS/AUTH refusals counting against the route's use only, and
 * the "answered" notifications.
 */
class HostFailuresTest {
    static final String HOST = "127.0.0.1:2525";
    final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final HostFailures failures = new HostFailures(clock);

    @Test
    void backoffStartsAtTheInitialValueDoublesAndStopsAtTheCap() {
        failures.configureBackoff(Duration.ofSeconds(30), Duration.ofMinutes(10));
        assertThat(failures.backoff(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(failures.backoff(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(failures.backoff(5)).isEqualTo(Duration.ofMinutes(8));
        assertThat(failures.backoff(6)).isEqualTo(Duration.ofMinutes(10));
        assertThat(failures.backoff(60)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aBackoffNeedsAPositiveInitialValueNotAboveTheCap() {
        assertThatThrownBy(() -> failures.configureBackoff(Duration.ZERO, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> failures.configureBackoff(Duration.ofMinutes(2), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHostFailureHoldsUntilTheBackoffEndsIsRememberedAfterAndAnAnswerClearsIt() {
        failures.failed(HOST, "421 4.3.2 busy");
        assertThat(failures.isDown(HOST, "any.test")).isTrue();
        assertThat(failures.isProven(HOST)).isFalse();
        clock.advance(Duration.ofSeconds(31));
        assertThat(failures.isDown(HOST, "any.test")).isFalse();
        assertThat(failures.holding(HOST, "any.test")).as("failed last, until it answers").isPresent();

        failures.failed(HOST, "421 4.3.2 busy");
        clock.advance(Duration.ofSeconds(31));
        assertThat(failures.isDown(HOST, "any.test")).as("second failure: 60 s").isTrue();
        assertThat(failures.holding(HOST, "any.test").orElseThrow().consecutiveFailures).isEqualTo(2);
        assertThat(failures.holding(HOST, "any.test").orElseThrow().reason).isEqualTo("421 4.3.2 busy");

        failures.answered(HOST);
        assertThat(failures.isDown(HOST, "any.test")).isFalse();
        assertThat(failures.holding(HOST, "any.test")).isEmpty();
        assertThat(failures.isProven(HOST)).isTrue();
        assertThat(failures.failures()).isEmpty();
    }

    @Test
    void endingTheBackoffsKeepsTheFailuresSoThatEachHostIsProbedFirst() {
        failures.failed(HOST, "421 4.3.2 busy");
        failures.failedForRoute("127.0.0.1:25", "a.test", "535 5.7.8 no");

        failures.endBackoffs();

        assertThat(failures.isDown(HOST, "any.test")).isFalse();
        assertThat(failures.isDown("127.0.0.1:25", "a.test")).isFalse();
        assertThat(failures.failures()).hasSize(2);
    }

    @Test
    void aRecipientsTemporaryRefusalLeavesTheHostUpAndProven() throws Exception {
        failures.record(HOST, "a.test", outcome(SmtpPhase.RCPT, "452 4.2.2 Mailbox full"));
        assertThat(failures.isDown(HOST, "a.test")).isFalse();
        assertThat(failures.isProven(HOST)).isTrue();
        assertThat(failures.failures()).isEmpty();
    }

    @Test
    void aMailSystemReplyToOneRecipientLeavesTheHostUp() throws Exception {
        failures.record(HOST, "a.test", outcome(SmtpPhase.RCPT, "451 4.3.0 Temporarily unavailable"));
        assertThat(failures.isDown(HOST, "a.test")).isFalse();

        failures.record(HOST, "a.test", outcome(SmtpPhase.RCPT, "421 4.4.2 Closing connection"));
        assertThat(failures.isDown(HOST, "a.test")).as("421 closes the session").isTrue();
    }

    @Test
    void anAuthRefusalCountsAgainstTheRoutesUseOfTheEndpointNotTheHost() throws Exception {
        failures.record(HOST, "a.test", outcome(SmtpPhase.AUTH, "535 5.7.8 Authentication credentials invalid"));

        assertThat(failures.isDown(HOST, "a.test")).isTrue();
        assertThat(failures.isDown(HOST, "b.test")).as("another route's use of the same endpoint").isFalse();
        assertThat(failures.holding(HOST, "b.test")).isEmpty();
        assertThat(failures.isProven(HOST)).as("it greeted and answered EHLO").isTrue();
        HostFailures.Failure failure = failures.failures().get(0);
        assertThat(failure.route).isEqualTo("a.test");
        assertThat(failure.reason).startsWith("535");

        failures.answeredForRoute(HOST, "a.test");
        assertThat(failures.isDown(HOST, "a.test")).isFalse();
        assertThat(failures.failures()).isEmpty();
    }

    @Test
    void aTlsFailureCountsAgainstTheRoutesUseToo() throws Exception {
        failures.record(HOST, "tls.test", outcome(SmtpPhase.STARTTLS, null));
        assertThat(failures.isDown(HOST, "tls.test")).isTrue();
        assertThat(failures.isDown(HOST, "plain.test")).isFalse();
    }

    @Test
    void aSilentHostFailsForEveryRoute() throws Exception {
        failures.record(HOST, "a.test", outcome(SmtpPhase.GREETING, null));
        assertThat(failures.isDown(HOST, "a.test")).isTrue();
        assertThat(failures.isDown(HOST, "b.test")).isTrue();
    }

    @Test
    void aFailureOnThisSideIsNeverRecordedAgainstTheHost() throws Exception {
        List<String> heard = new ArrayList<>();
        failures.addAnsweredListener(heard::add);
        SessionTrace trace = new SessionTrace(HOST, List.of(new MailAddress("user@a.test")));
        trace.enter(SmtpPhase.BODY);
        trace.failedLocally("local error reading the message: IOException: gone");

        failures.record(HOST, "a.test", OutcomeClassifier.classify(trace, false));

        assertThat(failures.failures()).isEmpty();
        assertThat(failures.isProven(HOST)).as("nothing learnt about the host").isFalse();
        assertThat(heard).isEmpty();
    }

    @Test
    void answeredListenersHearOfAFirstAnswerAndOfARecoveryNotOfEveryAnswer() {
        List<String> heard = new ArrayList<>();
        Consumer<String> listener = heard::add;
        failures.addAnsweredListener(listener);

        failures.answered(HOST);
        failures.answered(HOST);
        assertThat(heard).containsExactly(HOST);

        failures.failed(HOST, "connection dropped");
        failures.answeredForRoute(HOST, "a.test");
        assertThat(heard).containsExactly(HOST, HOST);

        failures.failedForRoute(HOST, "a.test", "535 5.7.8 no");
        failures.answeredForRoute(HOST, "a.test");
        assertThat(heard).as("the route's use recovered").hasSize(3);

        failures.removeAnsweredListener(listener);
        failures.failed(HOST, "connection dropped");
        failures.answered(HOST);
        assertThat(heard).hasSize(3);
    }

    /** The classified outcome of a session that ended at {@code phase} with {@code reply} (null: no reply). */
    static SmtpOutcome outcome(SmtpPhase phase, String reply) throws Exception {
        MailAddress recipient = new MailAddress("user@a.test");
        SessionTrace trace = new SessionTrace(HOST, List.of(recipient));
        trace.enter(phase);
        SmtpReply ended = reply == null ? SmtpReply.none("no reply within 2000 ms (" + phase + ")") : SmtpReply.parse(reply);
        if (phase == SmtpPhase.RCPT) {
            trace.refusedAtRcpt(recipient, ended);
        }
        trace.end(ended);
        return OutcomeClassifier.classify(trace, false);
    }
}
