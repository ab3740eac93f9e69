package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of {@code ./run-james} as a user runs it: the script itself starts in demo mode as a
 * subprocess, on free ports and its own working directory; a mail sent with
 * {@code ./run-james send} starts at dest-busy, fails over to dest-ok, which prints it, and the
 * mail log shows "Connection Error" for dest-busy then "New SMTP" for dest-ok; stopping the
 * runner stops James, and a new run on the same ports starts at once. A broken route file is
 * reported in one line that names the file, the route and the problem. Timeouts are generous
 * for a slow 2-core CI machine, and every process it started is killed whatever happens.
 */
class RunJamesIT {
    private static final Duration STARTUP = Duration.ofMinutes(5);
    private static final Duration DELIVERY = Duration.ofMinutes(2);
    private static final Duration STOP = Duration.ofMinutes(2);
    private static final int MAX_MAILS = 4;

    private static final Path PROJECT = Path.of(System.getProperty(ProjectLayout.PROJECT_DIR_PROPERTY)).toAbsolutePath().normalize();
    private static final Path WORK = Path.of(System.getProperty("smtproutes.it.work", "target/it-work")).toAbsolutePath();
    private static final Pattern ROUTE_HOST = Pattern.compile("<host priority=\"0\">127\\.0\\.0\\.1:(\\d+)</host>");

    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Map<Process, Thread> outputReaders = new ConcurrentHashMap<>();
    /** James and anything else the runner started, remembered so they die even if the runner is gone. */
    private final Set<ProcessHandle> runnerDescendants = ConcurrentHashMap.newKeySet();
    private Process runner;

    @BeforeEach
    void cleanWorkDirectory() throws IOException {
        deleteRecursively(WORK);
    }

    @AfterEach
    void killEverythingStarted() {
        if (runner != null) {
            runnerDescendants.addAll(descendantsOf(runner));
        }
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        runnerDescendants.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void demoFailsOverFromTheBusyHostToTheOkHostStopsCleanlyAndStartsAgainAtOnce() throws Exception {
        int smtpPort = Ports.freePort();
        int webAdminPort = Ports.freePort();
        String[] demo = {"--demo", "--work", WORK.toString(), "--smtp-port", String.valueOf(smtpPort),
            "--webadmin-port", String.valueOf(webAdminPort), "--jmx-port", "0", "--start-timeout", "280"};
        runner = start(demo);
        awaitOutput(line -> line.startsWith("James is up"), STARTUP);
        runnerDescendants.addAll(descendantsOf(runner));

        assertLaidOutLikeTheDockerImage();
        assertWebAdminAnswers(webAdminPort);
        int busyPort = demoHostPorts().get(0);
        int okPort = demoHostPorts().get(1);

        sendUntilAMailStartsAtTheBusyHost(busyPort);

        List<String> mailLog = Files.readAllLines(WORK.resolve("logs/maillog.log"), StandardCharsets.UTF_8);
        int connectionError = indexOf(mailLog, 0, line -> line.contains("Connection Error") && line.contains("port: " + busyPort));
        int newSmtpAtOkHost = indexOf(mailLog, connectionError, line -> line.contains("New SMTP") && line.endsWith("port " + okPort));
        assertThat(connectionError).as("Connection Error for dest-busy in the mail log:%n%s", mailLog).isNotNegative();
        assertThat(newSmtpAtOkHost).as("New SMTP for dest-ok after it:%n%s", mailLog).isGreaterThan(connectionError);
        assertTheUserSawTheFailoverInOrder(busyPort, okPort);

        stopRunner();
        startAgainAtOnce(demo, smtpPort, webAdminPort);
    }

    /**
     * A second run on the same ports right after the first: the connections the first James
     * closed (SMTP after QUIT, WebAdmin's kept-alive HTTP connection) are still in TIME-WAIT on
     * those ports, which James binds through (SO_REUSEADDR), so the runner must not refuse them.
     */
    private void startAgainAtOnce(String[] demo, int smtpPort, int webAdminPort) throws Exception {
        assertThat(bindRefusedWithoutReuseAddress(smtpPort) || bindRefusedWithoutReuseAddress(webAdminPort))
            .as("a connection of the first run is still in TIME-WAIT on port %d or %d", smtpPort, webAdminPort).isTrue();
        output.clear();
        runner = start(demo);
        awaitOutput(line -> line.startsWith("James is up"), STARTUP);
        runnerDescendants.addAll(descendantsOf(runner));
        assertWebAdminAnswers(webAdminPort);
        stopRunner();
    }

    @Test
    void aBrokenRouteFileIsReportedInOneLineFirstThenWhereTheLogIs() throws Exception {
        Path routes = Files.writeString(Files.createDirectories(WORK).resolveSibling("it-broken-smtproutes.xml"),
            "<smtproutes>\n  <route domain=\"example.com\">\n    <hots priority=\"0\">127.0.0.1:2526</hots>\n  </route>\n</smtproutes>\n");
        Path stdout = WORK.resolveSibling("it-broken-stdout.log");
        Path stderr = WORK.resolveSibling("it-broken-stderr.log");
        Process broken = new ProcessBuilder("bash", PROJECT.resolve("run-james").toString(), "--no-build", "--routes", routes.toString(),
                "--work", WORK.toString(), "--smtp-port", "0", "--webadmin-port", "0", "--jmx-port", "0", "--start-timeout", "280")
            .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        processes.add(broken);

        assertThat(broken.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("the runner exits").isTrue();
        List<String> errors = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        List<String> printed = Files.readAllLines(stdout, StandardCharsets.UTF_8);
        String problem = "route 'example.com': unknown element <hots> (allowed: <host>, <retry>, <auth>)";
        assertThat(broken.exitValue()).isEqualTo(1);
        assertThat(errors).as("stderr; stdout:%n%s", String.join("\n", printed)).isNotEmpty();
        assertThat(errors.get(0)).isEqualTo("run-james: " + routes + ": " + problem);
        assertThat(errors.get(1)).contains("Full console log: " + WORK.resolve("logs/james-console.log"));
        assertThat(String.join("\n", errors) + String.join("\n", printed)).as("the problem named once")
            .containsOnlyOnce("unknown element <hots>");
        assertThat(printed).as("what the runner printed before the error")
            .noneMatch(line -> line.contains("Exception") || line.contains("IsInboundRoute") || line.startsWith("[james]"));
    }

    private void sendUntilAMailStartsAtTheBusyHost(int busyPort) throws Exception {
        // Round-robin starts the first mail at dest-busy; more mails only cover a different order.
        for (int mail = 1; mail <= MAX_MAILS; mail++) {
            String subject = "run-james IT mail " + mail;
            Process send = start("send", "--work", WORK.toString(), "--to", "someone@demo.example", "--subject", subject);
            assertThat(send.waitFor(DELIVERY.toSeconds(), TimeUnit.SECONDS)).as("send finished").isTrue();
            assertThat(send.exitValue()).as("send exit code; runner output:%n%s", String.join("\n", output)).isZero();
            awaitOutput(line -> line.equals("[dest-ok] | Subject: " + subject), DELIVERY);
            if (mailLogContains("Connection Error", "port: " + busyPort)) {
                return;
            }
        }
        fail("No mail started at dest-busy after %d mails", MAX_MAILS);
    }

    private void assertLaidOutLikeTheDockerImage() throws IOException {
        assertThat(WORK.resolve("extensions-jars/smtp-routes.jar")).isRegularFile();
        assertThat(WORK.resolve("conf/mailetcontainer.xml")).hasSameTextualContentAs(PROJECT.resolve("conf/mailetcontainer.xml"));
        assertThat(Files.readString(WORK.resolve("conf/smtproutes.xml"))).contains("<route domain=\"demo.example\">");
        assertThat(WORK.resolve("var/mail/smtp-routes/retry")).isDirectory();
        // The extension reaches James only through extensions-jars/, never through its classpath.
        try (Stream<Path> jars = Files.list(PROJECT.resolve("runner/target/james-lib"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString())).noneMatch(name -> name.startsWith("smtp-routes"));
        }
        ProcessHandle james = descendantsOf(runner).stream()
            .filter(process -> process.info().commandLine().orElse("").contains(JamesProcess.MAIN_CLASS))
            .findFirst().orElseThrow(() -> new AssertionError("no James process under the runner"));
        assertThat(james.info().arguments().map(List::of).orElse(List.of()))
            .noneMatch(argument -> argument.contains("smtp-routes.jar") || argument.contains("extensions-jars"));
    }

    private static void assertWebAdminAnswers(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mailRepositories")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("var/mail/smtp-routes/retry");
    }

    /** What the terminal showed: dest-busy's Connection Error, then New SMTP at dest-ok, then the mail. */
    private void assertTheUserSawTheFailoverInOrder(int busyPort, int okPort) {
        List<String> lines = List.copyOf(output);
        int error = indexOf(lines, 0, line -> line.startsWith("[maillog]") && line.contains("Connection Error") && line.contains("port: " + busyPort));
        int newSmtp = indexOf(lines, Math.max(error, 0), line -> line.startsWith("[maillog]") && line.contains("New SMTP") && line.endsWith("port " + okPort));
        int printed = indexOf(lines, Math.max(newSmtp, 0), line -> line.startsWith("[dest-ok] received a mail"));

        assertThat(error).as("runner output:%n%s", String.join("\n", lines)).isNotNegative();
        assertThat(newSmtp).as("runner output:%n%s", String.join("\n", lines)).isGreaterThan(error);
        assertThat(printed).as("runner output:%n%s", String.join("\n", lines)).isGreaterThan(newSmtp);
    }

    private void stopRunner() throws Exception {
        List<ProcessHandle> started = descendantsOf(runner);
        assertThat(started).isNotEmpty();

        // SIGTERM, like kill (Ctrl-C runs the same shutdown hook). Through the handle, because
        // Process.destroy() also closes our end of its output, and we want to read its last lines.
        runner.toHandle().destroy();

        assertThat(runner.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).as("the runner exits").isTrue();
        outputReaders.get(runner).join(Duration.ofSeconds(30).toMillis()); // its last lines
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (started.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(started).as("James stopped with the runner").noneMatch(ProcessHandle::isAlive);
        assertThat(output).contains("James stopped.", "Demo hosts stopped.");
    }

    // ------------------------------------------------------------------ processes

    /** Starts {@code bash run-james --no-build ARGS}, its output collected in {@link #output} and a file. */
    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", PROJECT.resolve("run-james").toString(), "--no-build"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        collectOutput(process, WORK.resolveSibling("it-" + (args[0].equals("send") ? "send" : "run-james") + ".log"));
        return process;
    }

    private void collectOutput(Process process, Path copy) throws IOException {
        Files.createDirectories(copy.getParent());
        PrintWriter file = new PrintWriter(Files.newBufferedWriter(copy, StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    file.println(line);
                }
            } catch (IOException e) {
                // The process is gone.
            } finally {
                file.close();
            }
        }, "it-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        outputReaders.put(process, reader);
    }

    private void awaitOutput(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (output.stream().noneMatch(wanted)) {
            if (!runner.isAlive()) {
                fail("The runner exited (%d):%n%s", runner.exitValue(), String.join("\n", output));
            }
            if (System.nanoTime() > deadline) {
                fail("Not seen within %s; output so far:%n%s", timeout, String.join("\n", output));
            }
            Thread.sleep(250);
        }
    }

    /** Whether 127.0.0.1:port cannot be bound without SO_REUSEADDR: a connection still in TIME-WAIT holds it. */
    private static boolean bindRefusedWithoutReuseAddress(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static List<ProcessHandle> descendantsOf(Process process) {
        return process.descendants().collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ files

    private static List<Integer> demoHostPorts() throws IOException {
        Matcher matcher = ROUTE_HOST.matcher(Files.readString(WORK.resolve("conf/smtproutes.xml")));
        List<Integer> ports = new ArrayList<>();
        while (matcher.find()) {
            ports.add(Integer.parseInt(matcher.group(1)));
        }
        assertThat(ports).as("dest-busy then dest-ok in the demo routes").hasSize(2);
        return ports;
    }

    private static boolean mailLogContains(String... parts) throws IOException {
        Path mailLog = WORK.resolve("logs/maillog.log");
        return Files.exists(mailLog) && Files.readAllLines(mailLog, StandardCharsets.UTF_8).stream()
            .anyMatch(line -> Stream.of(parts).allMatch(line::contains));
    }

    private static int indexOf(List<String> lines, int from, Predicate<String> wanted) {
        for (int i = from; i < lines.size(); i++) {
            if (wanted.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
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
