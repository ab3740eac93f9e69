package io.github.smtproutes.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OutcomeClassifierTest {
    static final MailAddress A = address("a@example.com");
    static final MailAddress B = address("b@example.com");

    @ParameterizedTest
    @EnumSource(value = SmtpPhase.class, names = {"CONNECT", "GREETING", "EHLO", "STARTTLS", "AUTH"})
    void anyFailureBeforeMailGoesToTheNextHostEvenA5xx(SmtpPhase phase) {
        SmtpOutcome outcome = classify(trace(phase, SmtpReply.parse("554 5.3.2 No service")), false);

        assertThat(outcome.forNextHost()).containsExactly(A, B);
    }

    @ParameterizedTest
    @EnumSource(value = SmtpPhase.class, names = {"CONNECT", "GREETING", "EHLO"})
    void aFailureBeforeTheHostAnsweredEhloIsTheHosts(SmtpPhase phase) {
        SmtpOutcome outcome = classify(trace(phase, SmtpReply.parse("554 5.3.2 No service")), false);

        assertThat(outcome.hostFailure()).isTrue();
        assertThat(outcome.routeUseFailure()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = SmtpPhase.class, names = {"STARTTLS", "AUTH"})
    void aTlsOrAuthFailureIsTheRoutesUseOfTheHostNotTheHosts(SmtpPhase phase) {
        SmtpOutcome outcome = classify(trace(phase, SmtpReply.parse("535 5.7.8 Authentication credentials invalid")), false);

        assertThat(outcome.forNextHost()).containsExactly(A, B);
        assertThat(outcome.hostFailure()).isFalse();
        assertThat(outcome.routeUseFailure()).isTrue();
    }

    @Test
    void aMailSystemReplyToOneRcptIsTheRecipientsNotTheHosts() {
        SessionTrace trace = new SessionTrace("127.0.0.1:25", List.of(A, B));
        trace.enter(SmtpPhase.RCPT);
        trace.refusedAtRcpt(A, SmtpReply.parse("451 4.3.0 Temporarily unavailable"));
        trace.completed(SmtpReply.parse("250 2.0.0 Ok"));

        SmtpOutcome outcome = classify(trace, false);

        assertThat(outcome.forNextHost()).containsExactly(A);
        assertThat(outcome.accepted()).containsExactly(B);
        assertThat(outcome.hostFailure()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = SmtpPhase.class, names = {"MAIL", "DATA", "BODY", "DOT"})
    void a5xxToTheMessageBouncesEveryPendingRecipient(SmtpPhase phase) {
        SmtpOutcome outcome = classify(trace(phase, SmtpReply.parse("554 5.6.0 Refused")), false);

        assertThat(outcome.bounced()).containsExactly(A, B);
        assertThat(outcome.hostFailure()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = SmtpPhase.class, names = {"MAIL", "DATA", "BODY", "DOT"})
    void a4xxToTheMessageGoesToTheNextHost(SmtpPhase phase) {
        SmtpOutcome outcome = classify(trace(phase, SmtpReply.parse("451 4.3.0 Later")), false);

        assertThat(outcome.forNextHost()).containsExactly(A, B);
    }

    @Test
    void aRcptRefusalConcernsOnlyThatRecipient() {
        SessionTrace trace = new SessionTrace("10.0.0.1:25", List.of(A, B));
        trace.refusedAtRcpt(B, SmtpReply.parse("550 5.1.1 No such user"));
        trace.completed(SmtpReply.parse("250 2.0.0 Ok"));

        SmtpOutcome outcome = classify(trace, false);

        assertThat(outcome.accepted()).containsExactly(A);
        assertThat(outcome.bounced()).containsExactly(B);
    }

    @Test
    void aTransientRcptRefusalGoesToTheNextHostWhileTheOthersAreDelivered() {
        SessionTrace trace = new SessionTrace("10.0.0.1:25", List.of(A, B));
        trace.refusedAtRcpt(B, SmtpReply.parse("452 4.2.2 Mailbox full"));
        trace.completed(SmtpReply.parse("250 2.0.0 Ok"));

        SmtpOutcome outcome = classify(trace, false);

        assertThat(outcome.accepted()).containsExactly(A);
        assertThat(outcome.forNextHost()).containsExactly(B);
        assertThat(outcome.hostFailure()).as("a full mailbox says nothing about the host").isFalse();
    }

    @Test
    void a552ToRcptIsTreatedAs452AndGoesToTheNextHost() {
        // RFC 5321 4.5.3.1.10: old servers say 552 for "too many recipients".
        SessionTrace trace = new SessionTrace("10.0.0.1:25", List.of(A, B));
        trace.refusedAtRcpt(B, SmtpReply.parse("552 5.5.3 Too many recipients"));
        trace.completed(SmtpReply.parse("250 2.0.0 Ok"));

        SmtpOutcome outcome = classify(trace, false);

        assertThat(outcome.accepted()).containsExactly(A);
        assertThat(outcome.bounced()).isEmpty();
        assertThat(outcome.forNextHost()).containsExactly(B);
        assertThat(outcome.hostFailure()).isFalse();
    }

    @Test
    void silenceAfterTheDotIsNotDeliveredByDefault() {
        SmtpOutcome outcome = classify(trace(SmtpPhase.DOT, SmtpReply.none("no reply within 2000 ms (DOT)")), false);

        assertThat(outcome.forNextHost()).containsExactly(A, B);
        assertThat(outcome.hostFailure()).isTrue();
    }

    @Test
    void silenceAfterTheDotIsDeliveredWithPossibleDelivery() {
        SmtpOutcome outcome = classify(trace(SmtpPhase.DOT, SmtpReply.none("no reply within 2000 ms (DOT)")), true);

        assertThat(outcome.accepted()).containsExactly(A, B);
    }

    @Test
    void possibleDeliveryDoesNotApplyBeforeTheDot() {
        SmtpOutcome outcome = classify(trace(SmtpPhase.BODY, SmtpReply.none("connection dropped")), true);

        assertThat(outcome.forNextHost()).containsExactly(A, B);
    }

    @Test
    void hostLevelTransientRepliesMarkTheHost() {
        assertThat(OutcomeClassifier.isHostLevel(SmtpPhase.MAIL, SmtpReply.parse("452 4.3.1 Insufficient system resources"))).isTrue();
        assertThat(OutcomeClassifier.isHostLevel(SmtpPhase.RCPT, SmtpReply.parse("421 4.4.2 Closing"))).isTrue();
        assertThat(OutcomeClassifier.isHostLevel(SmtpPhase.RCPT, SmtpReply.parse("450 4.7.1 Greylisted"))).isFalse();
        assertThat(OutcomeClassifier.isHostLevel(SmtpPhase.RCPT, SmtpReply.parse("452 4.2.2 Mailbox full"))).isFalse();
    }

    @Test
    void aFailureOnThisSideBlamesNoHostAndKeepsTheRefusalsTheHostMadeAtRcpt() {
        SessionTrace trace = new SessionTrace("10.0.0.1:25", List.of(A, B));
        trace.enter(SmtpPhase.RCPT);
        trace.refusedAtRcpt(B, SmtpReply.parse("550 5.1.1 No such user"));
        trace.enter(SmtpPhase.BODY);
        trace.failedLocally("local error reading the message: IOException: gone");

        SmtpOutcome outcome = classify(trace, false);

        assertThat(outcome.localFailure()).isTrue();
        assertThat(outcome.hostFailure()).isFalse();
        assertThat(outcome.forNextHost()).containsExactly(A);
        assertThat(outcome.bounced()).containsExactly(B);
        assertThat(outcome.reply().text()).isEqualTo("local error reading the message: IOException: gone");
    }

    @Test
    void aRecipientRefusedAtItsOwnRcptWaitsForItselfUnlessTheServerClosesTheChannel() {
        SessionTrace trace = new SessionTrace("10.0.0.1:25", List.of(A, B));
        trace.refusedAtRcpt(A, SmtpReply.parse("451 4.3.0 Temporary lookup failure"));
        trace.refusedAtRcpt(B, SmtpReply.parse("421 4.3.2 Closing"));
        trace.end(SmtpReply.parse("421 4.3.2 Closing"));

        SmtpOutcome outcome = classify(trace, false);

        assertThat(outcome.recipients()).extracting(RecipientOutcome::waitsForHost).containsExactly(false, true);
    }

    @Test
    void whatASessionFailureMakesTheRecipientsWaitFor() {
        assertThat(waitsForHost(SmtpPhase.CONNECT, SmtpReply.none("connection refused"))).isTrue();
        assertThat(waitsForHost(SmtpPhase.GREETING, SmtpReply.parse("421 4.3.2 Not now"))).isTrue();
        assertThat(waitsForHost(SmtpPhase.EHLO, SmtpReply.parse("554 5.0.0 No"))).isTrue();
        assertThat(waitsForHost(SmtpPhase.DOT, SmtpReply.none("connection dropped"))).isTrue();
        assertThat(waitsForHost(SmtpPhase.DOT, SmtpReply.parse("451 4.3.0 Scanner busy"))).isTrue();
        assertThat(waitsForHost(SmtpPhase.DOT, SmtpReply.parse("450 4.7.1 Greylisted"))).isFalse();
        assertThat(waitsForHost(SmtpPhase.MAIL, SmtpReply.parse("452 4.3.1 Insufficient storage"))).isTrue();
        assertThat(waitsForHost(SmtpPhase.DATA, SmtpReply.parse("451 Try later"))).isFalse();
    }

    private static boolean waitsForHost(SmtpPhase phase, SmtpReply reply) {
        return classify(trace(phase, reply), false).recipients().get(0).waitsForHost();
    }

    private static SessionTrace trace(SmtpPhase phase, SmtpReply reply) {
        SessionTrace trace = new SessionTrace("10.0.0.1:25", List.of(A, B));
        trace.enter(phase);
        trace.end(reply);
        return trace;
    }

    private static SmtpOutcome classify(SessionTrace trace, boolean possibleDelivery) {
        SmtpOutcome outcome = OutcomeClassifier.classify(trace, possibleDelivery);
        assertThat(outcome.recipients()).extracting(RecipientOutcome::recipient).containsExactly(A, B);
        assertThat(outcome.recipients()).extracting(RecipientOutcome::disposition).doesNotContainNull();
        return outcome;
    }

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
