package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry repository James cannot serve, or a shared store several nodes could not use safely,
 * stops James at start with one message that says what to change.
 */
class RetryRepositoryAtStartupTest {
    static final String SHIPPED = "<retryRepository>file://var/mail/smtp-routes/retry/</retryRepository>";

    @TempDir
    File workingDirectory;

    @Test
    void aProtocolJamesDoesNotDeclareIsNamedWithTheDeclaredOnes() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .edit("mailetcontainer.xml", SHIPPED, "<retryRepository>cassandra://var/mail/smtp-routes/retry/</retryRepository>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start).satisfies(error -> assertThat(RoutesJames.causeMessages(error))
                .contains("retryRepository 'cassandra://var/mail/smtp-routes/retry/' uses protocol 'cassandra'",
                    "declared in mailrepositorystore.xml: file, memory"));
        } finally {
            server.stop();
        }
    }

    @Test
    void aNodeIdOnAFileStoreThatCachesItsKeysIsRefused() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .edit("mailetcontainer.xml", SHIPPED, SHIPPED + "<retryNodeId>node-a</retryNodeId>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start).satisfies(error -> assertThat(RoutesJames.causeMessages(error))
                .contains("retryNodeId", "CACHEKEYS=\"false\"", "mailrepositorystore.xml"));
        } finally {
            server.stop();
        }
    }

    @Test
    void aNodeIdThatIsNotAPlainNameIsRefused() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .edit("mailrepositorystore.xml", "CACHEKEYS=\"true\"", "CACHEKEYS=\"false\"")
            .edit("mailetcontainer.xml", SHIPPED, SHIPPED + "<retryNodeId>../elsewhere</retryNodeId>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start).satisfies(error -> assertThat(RoutesJames.causeMessages(error))
                .contains("retryNodeId '../elsewhere' is not a node name"));
        } finally {
            server.stop();
        }
    }
}
