package io.github.smtproutes.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One James 3.8.1 memory server in a JVM of its own, started the way the Docker image starts it:
 * {@code java -Dworking.directory=W -Dlogback.configurationFile=W/conf/logback.xml
 * -Dextra.props=W/conf/jvm.properties -cp 'james-lib/*' org.apache.james.MemoryJamesServerMain
 * --generate-keystore},
 * in W. The extension is deliberately not on that classpath: James loads it from
 * W/extensions-jars/, as in production. The console output goes to W/logs/james-console.log.
 */
final class JamesProcess {
    static final String MAIN_CLASS = "org.apache.james.MemoryJamesServerMain";
    /** James's own option: generate a self-signed key store wherever a configured one is missing. */
    static final String GENERATE_KEYSTORE = "--generate-keystore";
    /** What James logs once every server is up. */
    static final String STARTED = "JAMES server started";
    /** Extra JVM options for James, e.g. JAMES_JAVA_OPTS="-Xmx1g". */
    static final String JAVA_OPTS_VARIABLE = "JAMES_JAVA_OPTS";

    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

    private final Process process;

    private JamesProcess(Process process) {
        this.process = process;
    }

    static JamesProcess start(Path jamesLib, WorkDirectory work) {
        ProcessBuilder builder = new ProcessBuilder(command(jamesLib, work.root(), System.getenv(JAVA_OPTS_VARIABLE)))
            .directory(work.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(work.consoleLog().toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE);
        try {
            return new JamesProcess(builder.start());
        } catch (IOException e) {
            throw new RunnerException("Cannot start James: " + e.getMessage(), e);
        }
    }

    /** The James command line; {@code javaOpts} (may be null) goes before the classpath. */
    static List<String> command(Path jamesLib, Path work, String javaOpts) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (javaOpts != null && !javaOpts.isBlank()) {
            command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        }
        command.add("-Dworking.directory=" + work);
        command.add("-Dlogback.configurationFile=" + work.resolve("conf/logback.xml"));
        command.add("-Dextra.props=" + work.resolve("conf/jvm.properties"));
        // A classpath wildcard, expanded by java itself: James's jars only, never the extension.
        command.add("-cp");
        command.add(jamesLib.resolve("*").toString());
        command.add(MAIN_CLASS);
        // James makes conf/keystore (the STARTTLS key of conf/smtpserver.xml) when it is missing.
        command.add(GENERATE_KEYSTORE);
        return command;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for James to exit on its own; returns its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Asks James to shut down (SIGTERM runs its shutdown hooks), and kills it if it takes too long. */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(GRACEFUL_STOP.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
