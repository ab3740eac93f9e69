package io.github.smtproutes.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/**
 * Where the runner finds what this project's build leaves behind: the conf/ directory to copy,
 * the freshly built extension jar, and James's own classpath. {@code ./run-james} passes the
 * project directory as the system property {@value #PROJECT_DIR_PROPERTY}.
 */
final class ProjectLayout {
    static final String PROJECT_DIR_PROPERTY = "smtproutes.project.dir";

    private final Path root;

    ProjectLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    static ProjectLayout fromSystemProperty() {
        String dir = System.getProperty(PROJECT_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            throw new RunnerException("Start the runner with ./run-james (system property " + PROJECT_DIR_PROPERTY + " is not set)");
        }
        return new ProjectLayout(Paths.get(dir));
    }

    Path root() {
        return root;
    }

    /** The James configuration the project ships (copied as the image's /root/conf). */
    Path conf() {
        return root.resolve("conf");
    }

    /** The extension jar exactly as users deploy it into extensions-jars/. */
    Path extensionJar() {
        return root.resolve("mailets/target/smtp-routes.jar");
    }

    /** James 3.8.1's runtime classpath, laid out by the runner module's build. */
    Path jamesLib() {
        return root.resolve("runner/target/james-lib");
    }

    /** The default working directory: kept between runs (retry queue, logs), ignored by git. */
    Path defaultWorkDirectory() {
        return root.resolve(".james");
    }

    /** Fails with a hint to build when a build output is missing. */
    void requireBuilt() {
        requireExists(conf(), "the project's conf/ directory");
        requireExists(extensionJar(), "the extension jar");
        requireExists(jamesLib(), "James's classpath");
        if (!containsJars(jamesLib())) {
            throw new RunnerException("No jars in " + jamesLib() + ": build first (./run-james builds it)");
        }
    }

    private static void requireExists(Path path, String what) {
        if (!Files.exists(path)) {
            throw new RunnerException("Missing " + what + " at " + path + ": build first (./run-james builds it;"
                + " or mvn -B -DskipTests package)");
        }
    }

    private static boolean containsJars(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".jar"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
