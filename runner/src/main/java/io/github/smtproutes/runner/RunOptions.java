package io.github.smtproutes.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The options of {@code ./run-james [options]}, which runs James; see {@link RunJames#USAGE}. */
final class RunOptions {
    static final int DEFAULT_SMTP_PORT = 2525;
    static final int DEFAULT_WEBADMIN_PORT = 8000;
    /** Any free port: the image's 9999 is often taken by another James on a developer's machine. */
    static final int DEFAULT_JMX_PORT = 0;

    private Path work;
    private Path routes;
    private boolean demoAsked;
    private int smtpPort = DEFAULT_SMTP_PORT;
    private int webAdminPort = DEFAULT_WEBADMIN_PORT;
    private int jmxPort = DEFAULT_JMX_PORT;
    private String dnsServer = LocalConf.LOOPBACK;
    private Duration startTimeout = Duration.ofMinutes(3);
    private boolean verbose;

    private RunOptions() {
    }

    static RunOptions parse(List<String> args, ProjectLayout layout) {
        RunOptions options = new RunOptions();
        options.work = layout.defaultWorkDirectory();
        ArgumentReader reader = new ArgumentReader(args);
        while (reader.hasNext()) {
            options.read(reader);
        }
        options.check();
        return options;
    }

    private void read(ArgumentReader reader) {
        switch (reader.nextOption()) {
            case "--demo": demoAsked = true; break;
            case "--routes": routes = reader.path(); break;
            case "--work": work = reader.path(); break;
            case "--smtp-port": smtpPort = reader.port(); break;
            case "--webadmin-port": webAdminPort = reader.port(); break;
            case "--jmx-port": jmxPort = reader.port(); break;
            case "--dns-server": dnsServer = reader.value(); break;
            case "--start-timeout": startTimeout = Duration.ofSeconds(reader.positive()); break;
            case "--verbose": verbose = true; break;
            default: throw reader.unknown();
        }
    }

    private void check() {
        if (demoAsked && routes != null) {
            throw new UsageException("--demo writes its own smtproutes.xml: give either --demo or --routes, not both");
        }
        if (routes != null && !Files.isRegularFile(routes)) {
            throw new UsageException("--routes: no such file " + routes);
        }
    }

    /** Demo mode: asked for, or implied because no route file was given. */
    boolean demo() {
        return routes == null;
    }

    Optional<Path> routes() {
        return Optional.ofNullable(routes);
    }

    Path work() {
        return work;
    }

    int smtpPort() {
        return smtpPort;
    }

    int webAdminPort() {
        return webAdminPort;
    }

    int jmxPort() {
        return jmxPort;
    }

    String dnsServer() {
        return dnsServer;
    }

    Duration startTimeout() {
        return startTimeout;
    }

    boolean verbose() {
        return verbose;
    }
}
