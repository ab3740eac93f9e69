package io.github.smtproutes.runner;

/** The loopback ports one local James listens on, once chosen. */
final class JamesPorts {
    private final int smtp;
    private final int webAdmin;
    private final int jmx;

    JamesPorts(int smtp, int webAdmin, int jmx) {
        this.smtp = smtp;
        this.webAdmin = webAdmin;
        this.jmx = jmx;
    }

    /** The options' ports, each checked to be free (or picked, for 0). */
    static JamesPorts choose(RunOptions options) {
        return new JamesPorts(
            Ports.resolve(options.smtpPort(), "--smtp-port"),
            Ports.resolve(options.webAdminPort(), "--webadmin-port"),
            Ports.resolve(options.jmxPort(), "--jmx-port"));
    }

    int smtp() {
        return smtp;
    }

    int webAdmin() {
        return webAdmin;
    }

    int jmx() {
        return jmx;
    }
}
