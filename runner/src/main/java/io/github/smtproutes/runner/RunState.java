package io.github.smtproutes.runner;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The ports of a running James, kept in {@code <work>/run-james.properties} while it runs, so that
 * {@code ./run-james send} reaches it without being told the port again.
 */
final class RunState {
    static final String FILE_NAME = "run-james.properties";

    private RunState() {
    }

    static void write(Path work, int smtpPort, int webAdminPort) {
        Properties state = new Properties();
        state.setProperty("smtp.port", String.valueOf(smtpPort));
        state.setProperty("webadmin.port", String.valueOf(webAdminPort));
        state.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
        try (Writer out = Files.newBufferedWriter(work.resolve(FILE_NAME), StandardCharsets.UTF_8)) {
            state.store(out, "Written by ./run-james while James runs; read by ./run-james send");
        } catch (IOException e) {
            throw new RunnerException("Cannot write " + work.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }

    /** The SMTP port of the James running in {@code work}, if one is. */
    static Optional<Integer> smtpPort(Path work) {
        Path file = work.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties state = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            state.load(in);
            boolean running = ProcessHandle.of(Long.parseLong(state.getProperty("pid", "-1")))
                .map(ProcessHandle::isAlive).orElse(false);
            return running ? Optional.of(Integer.parseInt(state.getProperty("smtp.port"))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            // A damaged state file only means "not known": send falls back to the default port.
            return Optional.empty();
        }
    }

    static void delete(Path work) {
        try {
            Files.deleteIfExists(work.resolve(FILE_NAME));
        } catch (IOException e) {
            // Harmless: a stale file is ignored because its pid is no longer alive.
        }
    }
}
