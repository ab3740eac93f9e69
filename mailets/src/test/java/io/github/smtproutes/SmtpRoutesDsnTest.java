package io.github.smtproutes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.github.smtproutes.smtp.SmtpReply;

/** The RFC 3463 Status a DSN carries, taken from the destination's last reply. */
class SmtpRoutesDsnTest {
    @Test
    void theStatusIsTheRepliesEnhancedCode() {
        assertThat(SmtpRoutesDsn.statusCode(SmtpReply.parse("452 4.2.2 Mailbox full"))).isEqualTo("4.2.2");
        assertThat(SmtpRoutesDsn.statusCode(SmtpReply.parse("550 5.1.1 No such user"))).isEqualTo("5.1.1");
    }

    @Test
    void aReplyWithoutAnEnhancedCodeGivesItsClass() {
        assertThat(SmtpRoutesDsn.statusCode(SmtpReply.parse("451 Try later"))).isEqualTo("4.0.0");
        assertThat(SmtpRoutesDsn.statusCode(SmtpReply.parse("554 Rejected"))).isEqualTo("5.0.0");
    }

    @Test
    void noReplyAtAllIsNoAnswerFromHost() {
        assertThat(SmtpRoutesDsn.statusCode(SmtpReply.none("Connection refused"))).isEqualTo("4.4.1");
    }
}
