package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retry settings that cannot work stop James at start, with a message saying which, instead of
 * failing when the first mail has to wait: a route's {@code <retry>} inconsistent with the
 * mailet's defaults, and a processor the mailet would send notices to that does not exist.
 */
class RetryAtStartupTest {
    @TempDir
    File workingDirectory;

    @Test
    void aRouteRetryInconsistentWithTheMailetDefaultsIsAStartUpError() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='slow.test'><host>127.0.0.1:2525</host><retry initial='2h'/></route></smtproutes>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start)
                .satisfies(error -> assertThat(RoutesJames.causeMessages(error)).contains("route slow.test", "<retry>", "initial 2h", "max 1h"));
        } finally {
            server.stop();
        }
    }

    @Test
    void aMissingDelayWarningProcessorIsAStartUpError() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='slow.test' delayWarning='4h'><host>127.0.0.1:2525</host></route></smtproutes>")
            .edit("mailetcontainer.xml", "<delayWarningProcessor>delay-warnings</delayWarningProcessor>",
                "<delayWarningProcessor>no-such-processor</delayWarningProcessor>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start).satisfies(error -> assertThat(RoutesJames.causeMessages(error)).contains("no-such-processor"));
        } finally {
            server.stop();
        }
    }
}
