package io.github.smtproutes.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.smtproutes.testing.ReceivedMail;

/**
 * The run command of {@code ./run-james}: lays out the working directory, starts the demo hosts
 * (in demo mode) and James, waits until James is up, says where everything is, then shows the
 * mail log (and every mail dest-ok receives) until Ctrl-C, which stops James and the demo hosts.
 */
final class JamesRun {
    private static final int CONSOLE_TAIL_LINES = 25;
    /** How the mail log marks a side probe's lines (MailLog.PROBE_MARK, not on the runner's classpath). */
    static final String PROBE_MARK = " (host probe, no message)";
    private static final Pattern STACK_FRAME = Pattern.compile("\\s+(at |\\.\\.\\. \\d+ ).*");

    private final ProjectLayout project;
    private final RunOptions options;
    private final PrintStream out;
    private final CountDownLatch started = new CountDownLatch(1);
    /** James's errors while it starts, shown once it is up (only the console thread touches it). */
    private final List<String> errorsWhileStarting = new ArrayList<>();

    // Volatile: the shutdown hook and the demo host's threads read them.
    private volatile WorkDirectory work;
    private volatile DemoDestinations demo;
    private volatile JamesProcess james;
    private volatile FileFollower mailLog;
    private volatile FileFollower console;
    private volatile boolean stopping;

    JamesRun(ProjectLayout project, RunOptions options, PrintStream out) {
        this.project = project;
        this.options = options;
        this.out = out;
    }

    /** Runs until James stops; returns the exit status for the runner. */
    int run() throws InterruptedException {
        project.requireBuilt();
        work = WorkDirectory.lock(options.work());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "run-james-stop"));
        JamesPorts ports = JamesPorts.choose(options);
        if (options.demo()) {
            demo = DemoDestinations.start(this::printReceived);
        }
        work.layOut(project, ports, options.dnsServer(), routesXml());
        // Created before James starts, so it shows exactly this run's lines.
        mailLog = FileFollower.fromEnd(work.mailLog(), line -> print("[maillog] " + line));

        long startNanos = System.nanoTime();
        startJames();
        awaitStarted();
        RunState.write(work.root(), ports.smtp(), ports.webAdmin());
        printWhereThingsAre(ports, Duration.ofNanos(System.nanoTime() - startNanos));
        mailLog.start("run-james-maillog");

        int exitCode = james.waitFor();
        if (stopping) {
            return 0;
        }
        print("James stopped by itself (exit code " + exitCode + "). Its console log: " + work.consoleLog());
        return 1;
    }

    private String routesXml() {
        if (demo != null) {
            return demo.routesXml();
        }
        Path routes = options.routes().orElseThrow();
        try {
            return Files.readString(routes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunnerException("Cannot read " + routes + ": " + e.getMessage(), e);
        }
    }

    private void startJames() {
        try {
            Files.writeString(work.consoleLog(), ""); // this run's console only
        } catch (IOException e) {
            throw new RunnerException("Cannot write " + work.consoleLog() + ": " + e.getMessage(), e);
        }
        console = FileFollower.fromStart(work.consoleLog(), this::onConsoleLine).start("run-james-console");
        james = JamesProcess.start(project.jamesLib(), work);
        print("Starting Apache James 3.8.1 with the SMTP Routes extension (pid " + james.pid() + ", working directory "
            + work.root() + ") ...");
    }

    private void onConsoleLine(String line) {
        if (options.verbose()) {
            print("[james] " + line);
        } else if (started.getCount() > 0) {
            // While starting, errors are held back: if the start fails, the failure says what is
            // wrong in one line first; the errors James logs on the way mostly name whichever
            // component loaded a bad file first. (James also warns then about every optional conf
            // file the image has and this project does not ship: those are left out.)
            if (line.contains("[ERROR]")) {
                errorsWhileStarting.add(line);
            }
        } else if (line.contains("[ERROR]") || line.contains("[WARN ]")) {
            print("[james] " + line);
        }
        if (line.contains(JamesProcess.STARTED)) {
            // Errors that did not stop James still matter: shown once it is up.
            errorsWhileStarting.forEach(error -> print("[james] " + error));
            errorsWhileStarting.clear();
            started.countDown();
        }
    }

    private void awaitStarted() throws InterruptedException {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        while (!started.await(500, TimeUnit.MILLISECONDS)) {
            if (!james.isAlive()) {
                throw startFailure("James exited while starting");
            }
            if (System.nanoTime() > deadline) {
                throw startFailure("James did not log \"" + JamesProcess.STARTED + "\" within "
                    + options.startTimeout().toSeconds() + " s (raise it with --start-timeout SECONDS)");
            }
        }
    }

    /**
     * Why James did not start, for the user: the cause in one line first (for a broken route
     * file: the file, the route and the problem), then where the whole console log is. Only when
     * the console names no cause (a crash, a hang) does the end of the console follow.
     */
    private RunnerException startFailure(String what) {
        console.drain();
        List<String> consoleLines = readConsole();
        Optional<String> cause = StartFailure.cause(consoleLines).map(this::withTheUsersRouteFile);
        String routesCopy = options.routes()
            .map(routes -> " (" + copiedRoutes() + " is a copy of " + routes + ")").orElse("");
        String where = "Full console log: " + work.consoleLog() + routesCopy;
        if (cause.isPresent()) {
            return new RunnerException(cause.get() + "\n" + "run-james: " + what + ". " + where);
        }
        StringBuilder message = new StringBuilder(what).append(". ").append(where)
            .append("\n---- the end of ").append(work.consoleLog()).append(", without stack frames ----");
        consoleTail(consoleLines).forEach(line -> message.append('\n').append(line));
        return new RunnerException(message.append("\n----").toString());
    }

    /** A message about the working copy of the route file names the file the user gave instead. */
    private String withTheUsersRouteFile(String message) {
        return options.routes().map(routes -> message.replace(copiedRoutes().toString(), routes.toString())).orElse(message);
    }

    private Path copiedRoutes() {
        return work.conf().resolve("smtproutes.xml");
    }

    private List<String> readConsole() {
        try {
            return Files.readAllLines(work.consoleLog(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of("(cannot read it: " + e.getMessage() + ")");
        }
    }

    /** The end of James's console without stack frames, so that the messages (which say what is wrong) show. */
    private static List<String> consoleTail(List<String> consoleLines) {
        List<String> lines = consoleLines.stream()
            .filter(line -> !STACK_FRAME.matcher(line).matches())
            .collect(Collectors.toList());
        return lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL_LINES), lines.size());
    }

    private void printWhereThingsAre(JamesPorts ports, Duration startTime) {
        String retryRepository = work.retryRepositoryUrl();
        StringBuilder text = new StringBuilder()
            .append(String.format("%nJames is up (%.1f s). Where things are:%n", startTime.toMillis() / 1000.0))
            .append(row("SMTP", "127.0.0.1:" + ports.smtp() + "   (relaying allowed from 127.0.0.0/8)"))
            .append(row("WebAdmin", "http://127.0.0.1:" + ports.webAdmin() + "   e.g. curl http://127.0.0.1:"
                + ports.webAdmin() + "/mailRepositories"))
            .append(row("JMX", "127.0.0.1:" + ports.jmx()))
            .append(row("Working directory", work.root() + "   (laid out like /root in the Docker image)"))
            .append(row("Extension", work.extensionsJars().resolve(WorkDirectory.EXTENSION_JAR_NAME).toString()))
            .append(row("Routes", work.conf().resolve("smtproutes.xml").toString()))
            .append(row("Mail log", work.mailLog().toString()))
            .append(row("James console log", work.consoleLog().toString()))
            .append(row("Retry repository", retryRepository + " -> " + work.repositoryLocation(retryRepository)));
        if (demo != null) {
            text.append(row("Demo destinations", DemoDestinations.BUSY_NAME + " 127.0.0.1:" + demo.busyPort()
                    + " answers the greeting \"" + DemoDestinations.BUSY_GREETING + "\""))
                .append(row("", DemoDestinations.OK_NAME + "   127.0.0.1:" + demo.okPort() + " accepts each mail and prints it here"))
                .append(String.format("%nSend a test mail, from another terminal:%n  ./run-james send --to someone@%s%s%n",
                    DemoDestinations.DOMAIN, sendPortHint()))
                .append("The first mail starts at dest-busy (round-robin) and shows \"Connection Error\" for dest-busy,\n"
                    + "then \"New SMTP\" for dest-ok, then dest-ok prints the mail. dest-busy is then down for a while\n"
                    + "(\"Host down ... until\"); after that it is probed on the side, without a message (lines ending\n"
                    + "\"" + PROBE_MARK.trim() + "\"), and later mails go straight to dest-ok. Host health lives in James's\n"
                    + "memory: to see the failover again, stop the demo (Ctrl-C) and run it again.\n");
        } else {
            text.append(String.format("%nSend a test mail, from another terminal:%n  ./run-james send --to someone@<a routed domain>%s%n",
                sendPortHint()));
        }
        text.append("\nThe mail log follows below. Ctrl-C stops James").append(demo != null ? " and the demo hosts." : ".");
        print(text.toString());
    }

    private String sendPortHint() {
        // send finds the SMTP port in the working directory's run-james.properties.
        return work.root().equals(project.defaultWorkDirectory()) ? "" : " --work " + work.root();
    }

    private static String row(String label, String value) {
        return String.format("  %-18s %s%n", label, value);
    }

    private void printReceived(ReceivedMail mail) {
        // The mail log first: its "New SMTP" line was written before this mail arrived.
        if (mailLog != null) {
            mailLog.drain();
        }
        synchronized (out) {
            DemoDestinations.describe(mail).forEach(out::println);
            out.flush();
        }
    }

    private void print(String text) {
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }

    /** The shutdown hook: Ctrl-C, SIGTERM or the end of run(). */
    private void stop() {
        stopping = true;
        if (mailLog != null) {
            mailLog.drain(); // what James logged before the stop, above the stop messages
        }
        if (james != null && james.isAlive()) {
            print("\nStopping James (pid " + james.pid() + ") ...");
            james.stop();
            print("James stopped.");
        }
        if (mailLog != null) {
            mailLog.drain();
            mailLog.close();
        }
        if (console != null) {
            console.close();
        }
        if (demo != null) {
            demo.close();
            print("Demo hosts stopped.");
        }
        RunState.delete(work.root());
        work.unlock();
    }
}
