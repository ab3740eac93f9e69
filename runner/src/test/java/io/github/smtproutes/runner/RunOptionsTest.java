package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command lines of ./run-james: defaults, demo mode, and the mistakes it explains. */
class RunOptionsTest {
    private final ProjectLayout project = new ProjectLayout(Path.of("/project"));

    @Test
    void defaultsAreTheDemoOnTheDocumentedPortsInDotJames() {
        RunOptions options = RunOptions.parse(List.of(), project);

        assertThat(options.demo()).isTrue();
        assertThat(options.work()).isEqualTo(Path.of("/project/.james"));
        assertThat(options.smtpPort()).isEqualTo(2525);
        assertThat(options.webAdminPort()).isEqualTo(8000);
        assertThat(options.jmxPort()).isZero();
        assertThat(options.dnsServer()).isEqualTo("127.0.0.1");
    }

    @Test
    void aRouteFileTurnsTheDemoOff(@TempDir Path dir) throws Exception {
        Path routes = Files.writeString(dir.resolve("routes.xml"), "<smtproutes/>");

        RunOptions options = RunOptions.parse(List.of("--routes", routes.toString(), "--smtp-port", "0"), project);

        assertThat(options.demo()).isFalse();
        assertThat(options.routes()).contains(routes);
        assertThat(options.smtpPort()).isZero();
    }

    @Test
    void demoAndRoutesTogetherAreRefused(@TempDir Path dir) throws Exception {
        Path routes = Files.writeString(dir.resolve("routes.xml"), "<smtproutes/>");

        assertThatThrownBy(() -> RunOptions.parse(List.of("--demo", "--routes", routes.toString()), project))
            .isInstanceOf(UsageException.class);
    }

    @Test
    void mistakesAreUsageErrors() {
        assertThatThrownBy(() -> RunOptions.parse(List.of("--smtp-port"), project)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> RunOptions.parse(List.of("--smtp-port", "x"), project)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> RunOptions.parse(List.of("--smtp-port", "70000"), project)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> RunOptions.parse(List.of("--routes", "/no/such/file"), project)).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> RunOptions.parse(List.of("--nope"), project)).isInstanceOf(UsageException.class);
    }

    @Test
    void sendDefaultsToTheDemoDomain() {
        SendOptions options = SendOptions.parse(List.of("--count", "3"), project);

        assertThat(options.to()).isEqualTo("someone@demo.example");
        assertThat(options.count()).isEqualTo(3);
        assertThat(options.smtpPort()).isEmpty();
    }

    @Test
    void jamesIsStartedLikeTheImageWithOnlyJamesJarsOnItsClasspath() {
        List<String> command = JamesProcess.command(Path.of("/p/runner/target/james-lib"), Path.of("/w"), "-Xmx1g");

        assertThat(command.subList(1, command.size())).containsExactly(
            "-Xmx1g",
            "-Dworking.directory=/w",
            "-Dlogback.configurationFile=/w/conf/logback.xml",
            "-Dextra.props=/w/conf/jvm.properties",
            "-cp", "/p/runner/target/james-lib/*",
            "org.apache.james.MemoryJamesServerMain", "--generate-keystore");
    }
}
