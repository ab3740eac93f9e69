package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad route file stops James at start with one message naming the file and the route: nothing
 * is half-loaded, and no mail is taken in by a server that could not route it.
 */
class RouteFileAtStartupTest {
    @TempDir
    File workingDirectory;

    @Test
    void jamesRefusesToStartWithABadRouteFile() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='example.com'><host priority='0'>10.0.0.1:99999</host></route></smtproutes>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start)
                .satisfies(error -> org.assertj.core.api.Assertions.assertThat(RoutesJames.causeMessages(error))
                    .contains("smtproutes.xml", "route 'example.com'", "10.0.0.1:99999", "port"));
        } finally {
            server.stop();
        }
    }

    @Test
    void jamesRefusesToStartWithMalformedXml() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='example.com'>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start)
                .satisfies(error -> org.assertj.core.api.Assertions.assertThat(RoutesJames.causeMessages(error))
                    .contains("smtproutes.xml", "malformed XML"));
        } finally {
            server.stop();
        }
    }

    @Test
    void jamesRefusesToStartWithoutTheRouteFile() throws Exception {
        GuiceJamesServer server = RoutesJames.fromRepoConf().server(workingDirectory);
        Files.delete(workingDirectory.toPath().resolve("conf/smtproutes.xml"));
        try {
            assertThatThrownBy(server::start)
                .satisfies(error -> org.assertj.core.api.Assertions.assertThat(RoutesJames.causeMessages(error))
                    .contains("smtproutes.xml", "route file not found"));
        } finally {
            server.stop();
        }
    }
}
