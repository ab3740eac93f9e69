package io.github.smtproutes.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * The two destination hosts of the demo, on 127.0.0.1 ports of their own: {@value #BUSY_NAME}
 * answers every greeting with "{@value #BUSY_GREETING}", {@value #OK_NAME} accepts every mail and
 * hands it to a listener, which prints it. They are the extension's test-jar ScriptedSmtpServers,
 * run in the runner's JVM so that Ctrl-C stops them with it. The demo route sends
 * {@value #DOMAIN} to both at priority 0: round-robin makes every second mail start at the busy
 * host, so the mail log shows the failover the way an ESA admin knows it.
 */
final class DemoDestinations implements AutoCloseable {
    static final String DOMAIN = "demo.example";
    static final String BUSY_NAME = "dest-busy";
    static final String OK_NAME = "dest-ok";
    static final String BUSY_GREETING = "421 4.3.1 Mail system full";

    private final ScriptedSmtpServer busy;
    private final ScriptedSmtpServer ok;

    private DemoDestinations(ScriptedSmtpServer busy, ScriptedSmtpServer ok) {
        this.busy = busy;
        this.ok = ok;
    }

    /** Starts both hosts on free ports; {@code onMail} is called for every mail dest-ok accepts. */
    static DemoDestinations start(Consumer<ReceivedMail> onMail) {
        ScriptedSmtpServer busy = ScriptedSmtpServer.start(0)
            .withName(BUSY_NAME)
            .reply(SmtpPhase.CONNECT, BUSY_GREETING);
        try {
            ScriptedSmtpServer ok = ScriptedSmtpServer.start(0)
                .withName(OK_NAME)
                .onReceived(onMail);
            return new DemoDestinations(busy, ok);
        } catch (RuntimeException e) {
            busy.close();
            throw e;
        }
    }

    /** The demo conf/smtproutes.xml: {@value #DOMAIN} to both hosts at equal priority 0, busy first. */
    String routesXml() {
        return "<?xml version=\"1.0\"?>\n"
            + "<!-- Written by ./run-james for the demo: " + DOMAIN + " goes to two local hosts at equal priority,\n"
            + "     used round-robin. " + BUSY_NAME + " (" + busy.address() + ") answers the greeting with\n"
            + "     \"" + BUSY_GREETING + "\"; " + OK_NAME + " (" + ok.address() + ") accepts and prints each mail. -->\n"
            + "<smtproutes>\n"
            + "    <route domain=\"" + DOMAIN + "\">\n"
            + "        <host priority=\"0\">" + busy.address() + "</host>\n"
            + "        <host priority=\"0\">" + ok.address() + "</host>\n"
            + "    </route>\n"
            + "</smtproutes>\n";
    }

    int busyPort() {
        return busy.port();
    }

    int okPort() {
        return ok.port();
    }

    /** How a received mail is shown: a summary line, then the message as received, each line prefixed. */
    static List<String> describe(ReceivedMail mail) {
        List<String> lines = new ArrayList<>();
        String prefix = "[" + OK_NAME + "] ";
        lines.add(prefix + "received a mail from=<" + mail.sender() + "> to=" + mail.recipients()
            + ", over connection #" + mail.connectionNumber() + ":");
        String data = mail.data().endsWith("\r\n") ? mail.data().substring(0, mail.data().length() - 2) : mail.data();
        for (String line : data.split("\r\n", -1)) {
            lines.add(prefix + "| " + line);
        }
        return lines;
    }

    @Override
    public void close() {
        try {
            busy.close();
        } finally {
            ok.close();
        }
    }
}
