package io.github.smtproutes.runner;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The entry point behind {@code ./run-james}: {@code run} (the default) runs a real James 3.8.1
 * with the SMTP Routes extension, {@code send} sends it test mails. The script builds the project
 * and passes the project directory; everything else happens here.
 */
public final class RunJames {
    static final String USAGE = String.join("\n",
        "Usage:",
        "  ./run-james [--demo] [options]      run James 3.8.1 with SMTP Routes and two demo destination hosts",
        "  ./run-james --routes FILE [options] run James with FILE as conf/smtproutes.xml (no demo hosts)",
        "  ./run-james send [options]          send test mails to the running James",
        "",
        "The script first builds the extension and the runner (mvn -q -B -DskipTests package);",
        "--no-build skips that and uses the last build.",
        "",
        "Run options:",
        "  --demo                 demo mode, the default when no --routes is given: dest-busy answers",
        "                         the greeting with 421, dest-ok accepts and prints; demo.example goes to both",
        "  --routes FILE          your own smtproutes.xml",
        "  --work DIR             James's working directory (default: .james in the project; conf/ and",
        "                         extensions-jars/ are laid anew each run, var/ and logs/ are kept)",
        "  --smtp-port N          SMTP on 127.0.0.1:N (default 2525; 0 = any free port)",
        "  --webadmin-port N      WebAdmin on 127.0.0.1:N (default 8000; 0 = any free port)",
        "  --jmx-port N           JMX (james-cli) on 127.0.0.1:N (default 0 = any free port; the image uses 9999)",
        "  --dns-server IP        the DNS server James asks (default 127.0.0.1)",
        "  --start-timeout SECS   how long to wait for James to start (default 180)",
        "  --verbose              show James's whole console output, not only warnings and errors",
        "  Extra JVM options for James: JAMES_JAVA_OPTS=\"-Xmx1g\" ./run-james",
        "",
        "Send options:",
        "  --to ADDRESS[,ADDRESS] recipients (default " + SendOptions.DEFAULT_TO + ")",
        "  --from ADDRESS         sender (default " + SendOptions.DEFAULT_FROM + ")",
        "  --subject TEXT         subject (default \"SMTP Routes test HH:mm:ss\")",
        "  --count N              send N mails (default 1)",
        "  --smtp-port N          James's SMTP port (default: the running James's, else 2525)",
        "  --work DIR             the working directory of the James to send to (default .james)",
        "  --host HOST            James's SMTP host (default 127.0.0.1)");

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

    private static int send(SendOptions options, PrintStream out) {
        int port = options.smtpPort()
            .or(() -> RunState.smtpPort(options.work()))
            .orElse(RunOptions.DEFAULT_SMTP_PORT);
        new TestMailSender(options, port, out).send();
        return 0;
    }
}
