package io.github.smtproutes.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.MailRepositoryProbeImpl;

import com.google.inject.Module;

import io.github.smtproutes.testing.SelfSignedCertificate;

/**
 * A real James 3.8.1 memory server booted in-process from this repository's {@code conf/}
 * files, as the Docker image would boot them. Only what a test must change is changed, each by
 * an exact textual replacement that fails loudly if the shipped file no longer contains it:
 * ports (SMTP and WebAdmin bind to 127.0.0.1, port 0), DNS (no autodiscovery, 127.0.0.1), the
 * destination hosts (the route file), and the client timeouts (short, so hang tests are quick).
 * James starts with {@code --generate-keystore}, as the runner and the Docker image start it; the
 * TLS key it would generate is written beforehand, one per test JVM, to save the key generation.
 */
public final class RoutesJames {
    public static final Path REPO_CONF = locateRepoConf();
    /** The key store secret of the shipped {@code smtpserver.xml}. */
    static final String KEYSTORE_SECRET = "james72laBalle";
    // One TLS key for every test James of this JVM: James would otherwise make a 4096-bit RSA key at each start.
    private static SelfSignedCertificate sharedKey;

    private final List<ConfEdit> edits = new ArrayList<>();
    private final List<Module> overrides = new ArrayList<>();
    private Supplier<String> routes = () -> "<smtproutes/>";
    private boolean prebuiltKeystore = true;
    private int submissionPort;

    private RoutesJames() {
        edit("smtpserver.xml", "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:0</bind>");
        // As ./run-james and the Docker image start James: a missing conf/keystore is generated.
        overrideWith(new RunArgumentsModule(new String[] {"--generate-keystore"}));
        edit("dnsservice.xml", "<autodiscover>true</autodiscover>",
            "<autodiscover>false</autodiscover><servers><server>127.0.0.1</server></servers>");
        edit("webadmin.properties", "port=8000", "port=0");
        edit("webadmin.properties", "host=localhost", "host=127.0.0.1");
        edit("mailetcontainer.xml", "<connectionTimeout>30s</connectionTimeout>", "<connectionTimeout>2s</connectionTimeout>");
        edit("mailetcontainer.xml", "<timeout>60s</timeout>", "<timeout>2s</timeout>");
        edit("mailetcontainer.xml", "<dataTimeout>10m</dataTimeout>", "<dataTimeout>4s</dataTimeout>");
    }

    public static RoutesJames fromRepoConf() {
        return new RoutesJames();
    }

    /** The route file the server boots with; evaluated when the server starts. */
    public RoutesJames routes(Supplier<String> routesXml) {
        this.routes = routesXml;
        return this;
    }

    /** Lets James generate conf/keystore at start, as on a first run, instead of writing a shared one. */
    public RoutesJames withoutPrebuiltKeystore() {
        prebuiltKeystore = false;
        return this;
    }

    /** The submission listener (shipped on 587) on this loopback port instead of any free one. */
    public RoutesJames submissionPort(int port) {
        submissionPort = port;
        return this;
    }

    /** One more exact replacement in a shipped conf file. */
    public RoutesJames edit(String file, String shipped, String replacement) {
        edits.add(new ConfEdit(file, shipped, replacement));
        return this;
    }

    /** One more SmtpRouteDelivery parameter in the shipped mailetcontainer.xml, e.g. {@code dnsServers}. */
    public RoutesJames mailetParameter(String name, String value) {
        return edit("mailetcontainer.xml", "<timeout>2s</timeout>", "<timeout>2s</timeout><" + name + ">" + value + "</" + name + ">");
    }

    /** A Guice override, e.g. an in-memory DNS for USEDNS tests. */
    public RoutesJames overrideWith(Module module) {
        overrides.add(module);
        return this;
    }

    public JamesServerExtension extension(JamesServerExtension.Lifecycle lifecycle) {
        return new JamesServerBuilder<MemoryJamesConfiguration>(this::configure)
            .server(configuration -> MemoryJamesServerMain.createServer(configuration).overrideWith(overrides))
            .lifeCycle(lifecycle)
            .build();
    }

    /** A server on a working directory the caller owns, for restart tests. */
    public GuiceJamesServer server(File workingDirectory) {
        return MemoryJamesServerMain.createServer(configure(workingDirectory)).overrideWith(overrides);
    }

    public MemoryJamesConfiguration configure(File workingDirectory) {
        try {
            Path conf = workingDirectory.toPath().resolve("conf");
            copyRepoConf(conf);
            new ConfEdit("smtpserver.xml", "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:" + submissionPort + "</bind>").applyTo(conf);
            for (ConfEdit edit : edits) {
                edit.applyTo(conf);
            }
            Files.writeString(conf.resolve("smtproutes.xml"), routes.get());
            if (prebuiltKeystore) {
                sharedKey().writePkcs12(conf.resolve("keystore"), KEYSTORE_SECRET);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return MemoryJamesConfiguration.builder()
            .workingDirectory(workingDirectory)
            .build();
    }

    /** Every message of an error's cause chain, one a line: what a James admin reads at start-up. */
    public static String causeMessages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            all.append(cause.getMessage()).append('\n');
        }
        return all.toString();
    }

    public static int smtpPort(GuiceJamesServer server) {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    public static MailRepositoryProbeImpl repositories(GuiceJamesServer server) {
        return server.getProbe(MailRepositoryProbeImpl.class);
    }

    private static synchronized SelfSignedCertificate sharedKey() {
        if (sharedKey == null) {
            sharedKey = SelfSignedCertificate.create("james.test");
        }
        return sharedKey;
    }

    private static void copyRepoConf(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(REPO_CONF)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, target.resolve(file.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static Path locateRepoConf() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("conf/mailetcontainer.xml")) && Files.isDirectory(dir.resolve("mailets"))) {
                return dir.resolve("conf");
            }
        }
        throw new IllegalStateException("cannot find the repository's conf/ directory from " + Path.of("").toAbsolutePath());
    }

    /** An exact replacement in one conf file. */
    private static final class ConfEdit {
        private final String file;
        private final String shipped;
        private final String replacement;

        ConfEdit(String file, String shipped, String replacement) {
            this.file = file;
            this.shipped = shipped;
            this.replacement = replacement;
        }

        void applyTo(Path conf) throws IOException {
            Path path = conf.resolve(file);
            String content = Files.readString(path, StandardCharsets.UTF_8);
            if (!content.contains(shipped)) {
                throw new IllegalStateException("conf/" + file + " no longer contains '" + shipped + "': update the test harness");
            }
            Files.writeString(path, content.replace(shipped, replacement), StandardCharsets.UTF_8);
        }
    }
}
