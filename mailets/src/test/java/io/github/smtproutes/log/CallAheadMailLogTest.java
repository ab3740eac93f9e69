package io.github.smtproutes.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.it.MailLogCapture;

/** The call-ahead lines of the mail log: ESA wording, and one event always one line. */
class CallAheadMailLogTest {
    final MailLogCapture log = MailLogCapture.attach();

    @AfterEach
    void detach() {
        log.detach();
    }

    @Test
    void aHostsAnswerAndTheRcptResultAreWordedLikeTheEsaLog() {
        MailLog.callAheadHost("u@example.com", "example.com", "10.0.0.5:25", "reject", "550 5.1.1 No such user");
        MailLog.callAheadResult("ICID 12", "u@example.com", "example.com", "reject", true, "reject", "550 5.1.1 No such user");

        assertThat(log.lines()).containsExactly(
            "SMTP Call-Ahead: To:<u@example.com> route example.com host 10.0.0.5:25 answer reject - 5.1.1 - ('550', ['5.1.1 No such user'])",
            "SMTP Call-Ahead: ICID 12 To:<u@example.com> route example.com result reject (cached) action reject"
                + " - 5.1.1 - ('550', ['5.1.1 No such user'])");
    }

    @Test
    void controlCharactersInAddressesAndRepliesAreEscaped() {
        MailLog.callAheadResult("ICID 1", "a\rb@example.com", "example.com", "unknown", false, "tempfail", "no reply\u001b[2J");

        assertThat(log.lines()).containsExactly(
            "SMTP Call-Ahead: ICID 1 To:<a\\x0Db@example.com> route example.com result unknown action tempfail - no reply\\x1B[2J");
    }
}
