package io.github.smtproutes.runner;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The options of {@code ./run-james send [options]}, which sends test mails; see {@link RunJames#USAGE}. */
final class SendOptions {
    static final String DEFAULT_TO = "someone@" + DemoDestinations.DOMAIN;
    static final String DEFAULT_FROM = "runner@localhost";

    private String to = DEFAULT_TO;
    private String from = DEFAULT_FROM;
    private String subject;
    private int count = 1;
    private String host = LocalConf.LOOPBACK;
    private Integer smtpPort;
    private Path work;

    private SendOptions() {
    }

    static SendOptions parse(List<String> args, ProjectLayout layout) {
        SendOptions options = new SendOptions();
        options.work = layout.defaultWorkDirectory();
        ArgumentReader reader = new ArgumentReader(args);
        while (reader.hasNext()) {
            options.read(reader);
        }
        return options;
    }

    private void read(ArgumentReader reader) {
        switch (reader.nextOption()) {
            case "--to": to = reader.value(); break;
            case "--from": from = reader.value(); break;
            case "--subject": subject = reader.value(); break;
            case "--count": count = reader.positive(); break;
            case "--host": host = reader.value(); break;
            case "--smtp-port": smtpPort = reader.port(); break;
            case "--work": work = reader.path(); break;
            default: throw reader.unknown();
        }
    }

    String to() {
        return to;
    }

    String from() {
        return from;
    }

    Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    int count() {
        return count;
    }

    String host() {
        return host;
    }

    /** The port given with --smtp-port, if any; otherwise the running James's, see {@link RunState}. */
    Optional<Integer> smtpPort() {
        return Optional.ofNullable(smtpPort);
    }

    Path work() {
        return work;
    }
}
