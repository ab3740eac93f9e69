package io.github.smtproutes.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {
    @Test
    void parsesCodeEnhancedCodeAndText() {
        SmtpReply reply = SmtpReply.parse("452 4.3.1 Insufficient system resources\r\n");

        assertThat(reply.code()).isEqualTo(452);
        assertThat(reply.enhancedCode()).contains("4.3.1");
        assertThat(reply.text()).isEqualTo("452 4.3.1 Insufficient system resources");
        assertThat(reply.isTransient()).isTrue();
    }

    @Test
    void joinsMultilineRepliesIntoOneLine() {
        SmtpReply reply = SmtpReply.parse("421-mx.example.com ESMTP\n421 Mail system full");

        assertThat(reply.code()).isEqualTo(421);
        assertThat(reply.text()).isEqualTo("421-mx.example.com ESMTP 421 Mail system full");
    }

    @Test
    void anEnhancedCodeMustAgreeWithTheReplyClass() {
        assertThat(SmtpReply.parse("550 4.2.2 odd").enhancedCode()).isEmpty();
        assertThat(SmtpReply.parse("550 Mailbox unavailable").enhancedCode()).isEmpty();
    }

    @Test
    void noReplyHasNoCode() {
        SmtpReply reply = SmtpReply.none("Connection refused");

        assertThat(reply.hasCode()).isFalse();
        assertThat(reply.isPermanent()).isFalse();
        assertThat(reply.isTransient()).isFalse();
        assertThat(reply.text()).isEqualTo("Connection refused");
        assertThat(SmtpReply.parse("[EOF]").hasCode()).isFalse();
    }

    @Test
    void aReplyMustStartWithThreeDigits() {
        assertThat(SmtpReply.parse("250").code()).isEqualTo(250);
        assertThat(SmtpReply.parse("  354 go ahead ").text()).isEqualTo("354 go ahead");
        assertThat(SmtpReply.parse("25 short").hasCode()).isFalse();
        assertThat(SmtpReply.parse("2x0 odd").hasCode()).isFalse();
        assertThat(SmtpReply.parse("").text()).isEqualTo("no reply");
        assertThat(SmtpReply.parse(null).text()).isEqualTo("no reply");
    }
}
