package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code run-james} script itself, in a copy of the project's layout with stand-ins for
 * {@code mvn} and {@code java} on the PATH that only record how they were called: it answers
 * --help and usage mistakes before any build, builds only when there is no build or a source is
 * newer than it (and says which, and the exact command), and prints no terminal control codes.
 */
class RunJamesScriptTest {
    private static final Path PROJECT = Path.of(System.getProperty(ProjectLayout.PROJECT_DIR_PROPERTY)).toAbsolutePath().normalize();
    private static final String USAGE = "runner/src/main/resources/io/github/smtproutes/runner/usage.txt";
    private static final String BUILD = "-B -q -Dstyle.color=never -DskipTests -pl runner -am package";

    @TempDir
    Path project;
    private Path calls;

    @BeforeEach
    void copyTheScriptIntoAProjectWithoutABuild() throws IOException {
        Files.copy(PROJECT.resolve("run-james"), project.resolve("run-james"));
        Files.createDirectories(project.resolve(USAGE).getParent());
        Files.copy(PROJECT.resolve(USAGE), project.resolve(USAGE));
        for (String source : List.of("pom.xml", "mailets/pom.xml", "runner/pom.xml", "mailets/src/main/java/A.java",
                "mailets/src/test/java/ATest.java", "runner/src/main/java/B.java")) {
            Path file = project.resolve(source);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        }
        calls = project.resolve("calls.log");
        Path bin = Files.createDirectories(project.resolve("bin"));
        // The stand-in build leaves what the real one leaves for the script: the jars and James's
        // classpath. Like Maven with nothing to recompile, it leaves an existing jar as it was.
        executable(bin.resolve("mvn"), "echo \"mvn $* MAVEN_OPTS=$MAVEN_OPTS\" >> " + calls + "\n"
            + "mkdir -p mailets/target runner/target/james-lib\n"
            + "for jar in mailets/target/smtp-routes.jar mailets/target/smtp-routes-tests.jar runner/target/smtp-routes-runner.jar; do\n"
            + "  [ -f $jar ] || touch $jar\n"
            + "done\n");
        executable(bin.resolve("java"), "echo \"java $*\" >> " + calls + "\n");
    }

    @Test
    void helpIsTheUsageTextWithoutABuild() throws Exception {
        Result help = run("--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.stdout).isEqualTo(Files.readString(PROJECT.resolve(USAGE)));
        assertThat(calls()).isEmpty();
    }

    @Test
    void mistakesAreAnsweredBeforeAnyBuild() throws Exception {
        Result unknown = run("--bogus");
        Result noValue = run("--demo", "--smtp-port");
        Result stray = run("demo");

        assertThat(unknown.exitCode).isEqualTo(2);
        assertThat(unknown.stderr).isEqualTo("run-james: unknown option --bogus (see ./run-james --help)\n");
        assertThat(noValue.exitCode).isEqualTo(2);
        assertThat(noValue.stderr).isEqualTo("run-james: --smtp-port needs a value (see ./run-james --help)\n");
        assertThat(stray.exitCode).isEqualTo(2);
        assertThat(stray.stderr).contains("unexpected argument 'demo'");
        assertThat(calls()).isEmpty();
    }

    @Test
    void buildsOnlyWhenThereIsNoBuildOrASourceIsNewerAndSaysWhyAndExactlyWhat() throws Exception {
        Result first = run("--demo", "--smtp-port", "2526");
        Result second = run("--demo");
        Path changed = project.resolve("mailets/src/main/java/A.java");
        Files.setLastModifiedTime(changed, FileTime.from(Instant.now().plusSeconds(60)));
        Result third = run("--demo");

        assertThat(first.stdout).contains("run-james: building, because there is no build yet")
            .contains("run-james:   cd " + project.toRealPath() + " && MAVEN_OPTS=\"-Djansi.noreset=true\" mvn " + BUILD + "\n");
        assertThat(second.stdout).startsWith("run-james: not building: no source file is newer than the last build");
        assertThat(third.stdout).startsWith("run-james: building, because mailets/src/main/java/A.java is newer than the last build:");
        assertThat(calls()).containsExactly(
            "mvn " + BUILD + " MAVEN_OPTS=-Djansi.noreset=true",
            "java -Dsmtproutes.project.dir=" + project.toRealPath() + " -cp " + project.toRealPath()
                + "/runner/target/smtp-routes-runner.jar:" + project.toRealPath() + "/runner/target/runner-lib/*"
                + " io.github.smtproutes.runner.RunJames --demo --smtp-port 2526",
            "java -Dsmtproutes.project.dir=" + project.toRealPath() + " -cp " + project.toRealPath()
                + "/runner/target/smtp-routes-runner.jar:" + project.toRealPath() + "/runner/target/runner-lib/*"
                + " io.github.smtproutes.runner.RunJames --demo",
            "mvn " + BUILD + " MAVEN_OPTS=-Djansi.noreset=true",
            "java -Dsmtproutes.project.dir=" + project.toRealPath() + " -cp " + project.toRealPath()
                + "/runner/target/smtp-routes-runner.jar:" + project.toRealPath() + "/runner/target/runner-lib/*"
                + " io.github.smtproutes.runner.RunJames --demo");
        for (Result result : List.of(first, second, third)) {
            assertThat(result.stdout + result.stderr).as("no terminal control codes").doesNotContain("\u001b");
        }
    }

    @Test
    void eachJarIsComparedWithItsOwnSourcesAndABuildLeavesEveryJarUpToDate() throws Exception {
        run("--demo");
        Path extensionJar = project.resolve("mailets/target/smtp-routes.jar");
        Files.setLastModifiedTime(extensionJar, FileTime.from(Instant.now().minusSeconds(600)));
        // Newer than the extension jar, older than the runner jar: the runner jar is what it builds.
        Files.setLastModifiedTime(project.resolve("runner/src/main/java/B.java"), FileTime.from(Instant.now().minusSeconds(300)));
        Result runnerSourceOlder = run("--demo");
        Files.setLastModifiedTime(project.resolve("mailets/src/test/java/ATest.java"), FileTime.from(Instant.now().plusSeconds(60)));
        Result testSourceNewer = run("--demo");
        // A build that leaves a jar as it was (nothing to recompile) still counts as up to date.
        Files.setLastModifiedTime(extensionJar, FileTime.from(Instant.now().minusSeconds(600)));
        Files.setLastModifiedTime(project.resolve("mailets/src/test/java/ATest.java"), FileTime.from(Instant.now().minusSeconds(900)));
        Files.setLastModifiedTime(project.resolve("mailets/src/main/java/A.java"), FileTime.from(Instant.now().minusSeconds(300)));
        Result touched = run("--demo");
        Result afterThat = run("--demo");

        assertThat(runnerSourceOlder.stdout).startsWith("run-james: not building");
        assertThat(testSourceNewer.stdout).startsWith("run-james: building, because mailets/src/test/java/ATest.java is newer");
        assertThat(touched.stdout).startsWith("run-james: building, because mailets/src/main/java/A.java is newer");
        assertThat(afterThat.stdout).startsWith("run-james: not building");
    }

    @Test
    void sendAndNoBuildUseTheLastBuildAsItIs() throws Exception {
        run("--demo");
        Files.setLastModifiedTime(project.resolve("runner/src/main/java/B.java"), FileTime.from(Instant.now().plusSeconds(60)));
        Files.writeString(calls, "");

        Result send = run("send", "--to", "someone@demo.example");
        Result noBuild = run("--no-build", "--demo");

        assertThat(send.stdout + noBuild.stdout).doesNotContain("building");
        assertThat(calls()).hasSize(2).allMatch(call -> call.startsWith("java "));
    }

    // ------------------------------------------------------------------ helpers

    private Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", project.resolve("run-james").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile());
        builder.environment().put("PATH", project.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().remove("MAVEN_OPTS");
        Path stdout = Files.createTempFile(project, "out", ".txt");
        Path stderr = Files.createTempFile(project, "err", ".txt");
        Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    private List<String> calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls, StandardCharsets.UTF_8) : List.of();
    }

    private static void executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        assertThat(file.toFile().setExecutable(true)).isTrue();
    }

    private static final class Result {
        final int exitCode;
        final String stdout;
        final String stderr;

        Result(int exitCode, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }
    }
}
