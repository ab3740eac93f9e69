package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One retry repository, one scheduler: a second SmtpRouteDelivery mailet whose retryRepository
 * names the same folder, written without the trailing slash, stops James at start with a message
 * naming the repository, rather than two schedulers delivering the same waiting mail twice.
 */
class RetryRepositoryAtStartupTest {
    @TempDir
    File workingDirectory;

    @Test
    void aSecondMailetOnTheSameRepositoryWrittenWithoutItsTrailingSlashIsAStartUpError() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='example.test'><host>127.0.0.1:2525</host></route></smtproutes>")
            .edit("mailetcontainer.xml", "<!-- Everything else: stock James remote delivery, unchanged. -->",
                "<mailet match=\"io.github.smtproutes.HasSmtpRoute\" class=\"io.github.smtproutes.SmtpRouteDelivery\">"
                    + "<routes>file://conf/smtproutes.xml</routes>"
                    + "<retryRepository>file://var/mail/smtp-routes/retry</retryRepository>"
                    + "</mailet>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start)
                .satisfies(error -> assertThat(RoutesJames.causeMessages(error))
                    .contains("SmtpRouteDelivery", "file://var/mail/smtp-routes/retry", "already used by another SmtpRouteDelivery mailet"));
        } finally {
            server.stop();
        }
    }
}
