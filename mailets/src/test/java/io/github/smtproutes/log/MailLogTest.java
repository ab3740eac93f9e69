package io.github.smtproutes.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.smtproutes.it.MailLogCapture;

class MailLogTest {
    @Test
    void repliesAreQuotedTheWayTheEsaLogQuotesThem() {
        assertThat(MailLog.esaReply(550, "5.1.1", "550 5.1.1 No such user")).isEqualTo("5.1.1 - ('550', ['5.1.1 No such user'])");
        assertThat(MailLog.esaReply(452, null, "452 Mailbox full")).isEqualTo("4.0.0 - ('452', ['Mailbox full'])");
        assertThat(MailLog.esaReply(MailLog.NO_REPLY, null, "connection dropped")).isEqualTo("connection dropped");
    }

    @Test
    void everyValueIsWrittenWithItsControlCharactersEscapedSoAnEventStaysOneLine() {
        MailLogCapture capture = MailLogCapture.attach();
        try {
            MailLog.bounced(7, "mid-1", "x\r\nMessage done DCID 1@evil", "u\u001b[2J@company.test", 0,
                550, "5.1.1", "550 5.1.1 no\u0000such\u2028user");
            MailLog.queuedForRetry("mid-2", List.of(0), 1, Instant.EPOCH, "421 bye\rforged");
        } finally {
            capture.detach();
        }

        assertThat(capture.lines()).hasSize(2).allSatisfy(line -> assertThat(ControlCharacters.containsAny(line)).isFalse());
        assertThat(capture.lines().get(0))
            .contains("From:<x\\x0D\\x0AMessage done DCID 1@evil>")
            .contains("To:<u\\x1B[2J@company.test>")
            .contains("no\\x00such\\u2028user");
        assertThat(capture.lines().get(1)).endsWith("last error: 421 bye\\x0Dforged");
    }

    @Test
    void textWithoutControlCharactersIsUnchanged() {
        assertThat(ControlCharacters.escape("user@company.test [0, 1] é")).isEqualTo("user@company.test [0, 1] é");
    }
}
