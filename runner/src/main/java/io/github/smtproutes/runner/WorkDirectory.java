package io.github.smtproutes.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * James's working directory, laid out like {@code /root} in the apache/james:memory-3.8.1 image:
 * {@code conf/} (the project's conf/ plus {@link LocalConf}'s local adjustments) and
 * {@code extensions-jars/} (the extension jar) are laid anew on every run; {@code var/} (mail
 * repositories, e.g. the retry queue) and {@code logs/} are kept, like the image's volumes. A lock
 * keeps two runners from sharing one directory.
 */
final class WorkDirectory {
    static final String EXTENSION_JAR_NAME = "smtp-routes.jar";
    private static final String LOCK_FILE = ".run-james.lock";
    private static final Pattern RETRY_REPOSITORY = Pattern.compile("<retryRepository>\\s*(.*?)\\s*</retryRepository>");

    private final Path root;
    private final FileChannel lockChannel;

    private WorkDirectory(Path root, FileChannel lockChannel) {
        this.root = root;
        this.lockChannel = lockChannel;
    }

    /** Creates the directory if needed and locks it for this runner (until the JVM exits). */
    static WorkDirectory lock(Path root) {
        try {
            Files.createDirectories(root);
            FileChannel channel = FileChannel.open(root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                channel.close();
                throw new RunnerException("Another ./run-james is running in " + root + ": stop it first, or give this one"
                    + " its own --work DIR (and other ports)");
            }
            return new WorkDirectory(root, channel);
        } catch (IOException e) {
            throw new RunnerException("Cannot use the working directory " + root + ": " + e.getMessage(), e);
        }
    }

    /** Lays out conf/ and extensions-jars/ for this run; var/ and logs/ are kept as they are. */
    void layOut(ProjectLayout project, JamesPorts ports, String dnsServer, String routesXml) {
        try {
            deleteRecursively(conf());
            deleteRecursively(extensionsJars());
            copyRecursively(project.conf(), conf());
            adjust("smtpserver.xml", xml -> LocalConf.smtpServer(xml, ports.smtp()));
            adjust("webadmin.properties", properties -> LocalConf.webAdmin(properties, ports.webAdmin()));
            adjust("dnsservice.xml", xml -> LocalConf.dnsService(xml, dnsServer));
            // The image ships these two; the project may not: start from the image's values.
            writeIfMissing("jmx.properties", "# Written by ./run-james: JMX as in the James 3.8.1 image, on a local port.\njmx.enabled=true\n");
            adjust("jmx.properties", properties -> LocalConf.jmx(properties, ports.jmx()));
            writeIfMissing("jvm.properties", LocalConf.defaultJvmProperties());
            Files.writeString(conf().resolve("smtproutes.xml"), routesXml, StandardCharsets.UTF_8);
            Files.createDirectories(extensionsJars());
            Files.copy(project.extensionJar(), extensionsJars().resolve(EXTENSION_JAR_NAME), StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(logs());
            Files.createDirectories(root.resolve("var"));
        } catch (IOException e) {
            throw new RunnerException("Cannot lay out " + root + ": " + e.getMessage(), e);
        }
    }

    Path root() {
        return root;
    }

    Path conf() {
        return root.resolve("conf");
    }

    Path extensionsJars() {
        return root.resolve("extensions-jars");
    }

    Path logs() {
        return root.resolve("logs");
    }

    /** Where conf/logback.xml sends the io.github.smtproutes.maillog logger. */
    Path mailLog() {
        return logs().resolve("maillog.log");
    }

    /** James's console output (everything its logback CONSOLE appender prints). */
    Path consoleLog() {
        return logs().resolve("james-console.log");
    }

    /** The retryRepository configured in conf/mailetcontainer.xml, e.g. "file://var/mail/smtp-routes/retry/". */
    String retryRepositoryUrl() {
        try {
            Matcher matcher = RETRY_REPOSITORY.matcher(Files.readString(conf().resolve("mailetcontainer.xml")));
            return matcher.find() ? matcher.group(1) : "(no retryRepository in conf/mailetcontainer.xml)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a file:// repository lives: under the working directory, like /root/var/... in Docker. */
    String repositoryLocation(String url) {
        String prefix = "file://";
        return url.startsWith(prefix) ? root.resolve(url.substring(prefix.length())).toString() : "(kept in memory: " + url + ")";
    }

    void unlock() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            // The lock goes with the process anyway.
        }
    }

    private void adjust(String fileName, UnaryOperator<String> change) throws IOException {
        Path file = conf().resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new RunnerException("conf/" + fileName + " is missing: the runner needs it to run James locally");
        }
        Files.writeString(file, change.apply(Files.readString(file, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    private void writeIfMissing(String fileName, String content) throws IOException {
        Path file = conf().resolve(fileName);
        if (!Files.exists(file)) {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }
}
