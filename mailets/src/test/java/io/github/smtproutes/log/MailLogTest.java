package io.github.smtproutes.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailLogTest {
    @Test
    void repliesAreQuotedTheWayTheEsaLogQuotesThem() {
        assertThat(MailLog.esaReply(550, "5.1.1", "550 5.1.1 No such user")).isEqualTo("5.1.1 - ('550', ['5.1.1 No such user'])");
        assertThat(MailLog.esaReply(452, null, "452 Mailbox full")).isEqualTo("4.0.0 - ('452', ['Mailbox full'])");
        assertThat(MailLog.esaReply(MailLog.NO_REPLY, null, "connection dropped")).isEqualTo("connection dropped");
    }
}
