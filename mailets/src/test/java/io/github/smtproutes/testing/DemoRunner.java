package io.github.smtproutes.testing;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The command-line face of {@link ScriptedSmtpServer#main}: parses the demo arguments, starts and
 * scripts a server, and optionally prints every message it accepts. Kept apart so it can be tested
 * without a process that runs forever.
 */
final class DemoRunner {
    static final String USAGE = "usage: ScriptedSmtpServer --port N [--name NAME] [--reply PHASE=REPLY]..."
            + " [--drop PHASE]... [--hang PHASE]... [--print]\n  PHASE is one of "
            + Arrays.toString(SmtpPhase.values());

    private Integer port;
    private String name;
    private boolean print;
    // Scripts are collected and applied once the server exists, so bad arguments never bind a port.
    private final List<Consumer<ScriptedSmtpServer>> scripts = new ArrayList<>();

    private DemoRunner() {
    }

    /** Starts a server as described by {@code args}; throws IllegalArgumentException on bad arguments. */
    static ScriptedSmtpServer launch(String[] args, PrintStream out) {
        DemoRunner options = new DemoRunner();
        options.parse(args);
        return options.startServer(out);
    }

    /** Prints "[NAME] mail from=<..> to=[..]" followed by the message's headers and body. */
    static void print(PrintStream out, String name, ReceivedMail mail) {
        // One block per message, even when several connections deliver at once.
        synchronized (out) {
            out.println("[" + name + "] mail from=<" + mail.sender() + "> to=" + mail.recipients());
            out.print(mail.data().replace("\r\n", System.lineSeparator()));
            out.flush();
        }
    }

    private void parse(String[] args) {
        Iterator<String> it = Arrays.asList(args).iterator();
        while (it.hasNext()) {
            String option = it.next();
            switch (option) {
                case "--port": port = parsePort(valueOf(option, it)); break;
                case "--name": name = valueOf(option, it); break;
                case "--reply": scripts.add(replyScript(valueOf(option, it))); break;
                case "--drop": scripts.add(dropScript(phase(valueOf(option, it)))); break;
                case "--hang": scripts.add(hangScript(phase(valueOf(option, it)))); break;
                case "--print": print = true; break;
                default: throw new IllegalArgumentException("Unknown argument: " + option);
            }
        }
        if (port == null) {
            throw new IllegalArgumentException("--port is required");
        }
    }

    private ScriptedSmtpServer startServer(PrintStream out) {
        ScriptedSmtpServer server = ScriptedSmtpServer.start(port);
        if (name != null) {
            server.withName(name);
        }
        scripts.forEach(script -> script.accept(server));
        if (print) {
            server.onReceived(mail -> print(out, server.name(), mail));
        }
        out.println("[" + server.name() + "] listening on " + server.address());
        return server;
    }

    private static Consumer<ScriptedSmtpServer> replyScript(String value) {
        int equals = value.indexOf('=');
        if (equals < 0) {
            throw new IllegalArgumentException("--reply needs PHASE=REPLY, got: " + value);
        }
        SmtpPhase phase = phase(value.substring(0, equals));
        String reply = Replies.validate(value.substring(equals + 1));
        return server -> server.reply(phase, reply);
    }

    private static Consumer<ScriptedSmtpServer> dropScript(SmtpPhase phase) {
        return server -> server.drop(phase);
    }

    private static Consumer<ScriptedSmtpServer> hangScript(SmtpPhase phase) {
        return server -> server.hang(phase);
    }

    private static SmtpPhase phase(String text) {
        try {
            return SmtpPhase.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown phase: " + text);
        }
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number, got: " + text);
        }
    }

    private static String valueOf(String option, Iterator<String> it) {
        if (!it.hasNext()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return it.next();
    }
}
