package io.github.smtproutes.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The entry point behind {@code ./run-james}: {@code run} (the default) runs a real James 3.8.1
 * with the SMTP Routes extension, {@code send} sends it test mails. The script builds the project
 * when needed, answers --help and misspelt options from the same usage text, and passes the
 * project directory; everything else happens here.
 */
public final class RunJames {
    /** The help text; ./run-james prints the same file itself, so that --help needs no build. */
    static final String USAGE = readUsage();

    private RunJames() {
    }

    public static void main(String[] args) {
        System.exit(execute(Arrays.asList(args), System.out, System.err));
    }

    static int execute(List<String> args, PrintStream out, PrintStream err) {
        try {
            if (args.contains("-h") || args.contains("--help")) {
                out.println(USAGE);
                return 0;
            }
            ProjectLayout project = ProjectLayout.fromSystemProperty();
            if (!args.isEmpty() && args.get(0).equals("send")) {
                return send(SendOptions.parse(args.subList(1, args.size()), project), out);
            }
            return new JamesRun(project, RunOptions.parse(args, project), out).run();
        } catch (UsageException e) {
            err.println("run-james: " + e.getMessage() + " (see ./run-james --help)");
            return 2;
        } catch (RunnerException e) {
            err.println("run-james: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static String readUsage() {
        try (InputStream in = RunJames.class.getResourceAsStream("usage.txt")) {
            if (in == null) {
                throw new IllegalStateException("usage.txt is missing from the runner jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int send(SendOptions options, PrintStream out) {
        int port = options.smtpPort()
            .or(() -> RunState.smtpPort(options.work()))
            .orElse(RunOptions.DEFAULT_SMTP_PORT);
        new TestMailSender(options, port, out).send();
        return 0;
    }
}
