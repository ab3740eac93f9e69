package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SelfSignedCertificate;

/**
 * Per-route TLS and AUTH in a real James, against scripted destination hosts: "required" never
 * sends in clear (a host without STARTTLS is a host failure), "verify" also checks the chain and
 * the host name, "opportunistic" encrypts whatever the certificate, "none" never tries. AUTH is
 * only done over TLS unless the route allows plain AUTH; a refused AUTH fails over to the next
 * host; the password never appears in any log or mail attribute. Mail is sent by an
 * authenticated client (James's only way to use outbound routes from outside), and an
 * unauthenticated outsider cannot reach a domain without a route (no ALL route here). AUTH toward
 * a destination needs "verify" unless the route opts in with {@code allowUnverifiedAuth}.
 */
class RouteTlsAndAuthTest {
    static final String PASSWORD = "Route-Pa55-" + System.nanoTime();
    static final Path PASSWORD_FILE = passwordFile(PASSWORD);

    static final SelfSignedCertificate UNTRUSTED = SelfSignedCertificate.create("untrusted.test");
    static final SelfSignedCertificate TRUSTED = SelfSignedCertificate.create("trusted.test");
    static final SSLContext JVM_DEFAULT_TLS = defaultContext();

    static final ScriptedSmtpServer OPPORTUNISTIC = tls(UNTRUSTED, "opportunistic");
    static final ScriptedSmtpServer NO_TLS_WANTED = tls(UNTRUSTED, "no-tls-wanted");
    static final ScriptedSmtpServer PLAIN_ONLY = ScriptedSmtpServer.start().withName("plain-only");
    static final ScriptedSmtpServer REQUIRED = tls(UNTRUSTED, "required");
    static final ScriptedSmtpServer VERIFY_UNTRUSTED = tls(UNTRUSTED, "verify-untrusted");
    static final ScriptedSmtpServer VERIFY_WRONG_NAME = tls(TRUSTED, "verify-wrong-name");
    static final ScriptedSmtpServer VERIFY_OK = tls(TRUSTED, "verify-ok");
    static final ScriptedSmtpServer AUTH_WITHOUT_TLS = ScriptedSmtpServer.start().withName("auth-without-tls")
        .requireAuth("relay", PASSWORD);
    static final ScriptedSmtpServer AUTH_WRONG_PASSWORD = tls(UNTRUSTED, "auth-wrong").requireAuth("relay", "another-password");
    static final ScriptedSmtpServer AUTH_OK = tls(UNTRUSTED, "auth-ok").requireAuth("relay", PASSWORD);
    static final ScriptedSmtpServer AUTH_REFUSED_EVERYWHERE = tls(UNTRUSTED, "auth-refused").requireAuth("relay", "another-password");
    static final ScriptedSmtpServer PLAIN_AUTH_ALLOWED = ScriptedSmtpServer.start().withName("plain-auth").requireAuth("relay", PASSWORD);
    static final ScriptedSmtpServer AUTH_MAN_IN_THE_MIDDLE = tls(UNTRUSTED, "auth-mitm").requireAuth("relay", PASSWORD);
    static final ScriptedSmtpServer AUTH_VERIFIED = tls(TRUSTED, "auth-verified").requireAuth("relay", PASSWORD);
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();
    static final LogScan ALL_LOGS = LogScan.attach();

    static {
        // "verify" trusts the JVM's default trust store: for this class, that is TRUSTED's certificate.
        SSLContext.setDefault(TRUSTED.clientSslContext());
    }

    @RegisterExtension
    static JamesServerExtension james = OutsiderJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='opportunistic.test'><host>" + OPPORTUNISTIC.address() + "</host></route>"
            + "<route domain='none.test' tls='none'><host>" + NO_TLS_WANTED.address() + "</host></route>"
            + "<route domain='required.test' tls='required'>"
            + "<host priority='0'>" + PLAIN_ONLY.address() + "</host><host priority='10'>" + REQUIRED.address() + "</host></route>"
            // localhost: the name the certificates carry; 127.0.0.1 is not among their DNS names.
            + "<route domain='verify.test' tls='verify'>"
            + "<host priority='0'>localhost:" + VERIFY_UNTRUSTED.port() + "</host>"
            + "<host priority='10'>" + VERIFY_WRONG_NAME.address() + "</host>"
            + "<host priority='20'>localhost:" + VERIFY_OK.port() + "</host></route>"
            // With allowUnverifiedAuth the admin accepts sending credentials over unverified TLS.
            + "<route domain='auth.test' allowUnverifiedAuth='true'><auth user='relay' passwordFile='" + PASSWORD_FILE + "'/>"
            + "<host priority='0'>" + AUTH_WITHOUT_TLS.address() + "</host>"
            + "<host priority='10'>" + AUTH_WRONG_PASSWORD.address() + "</host>"
            + "<host priority='20'>" + AUTH_OK.address() + "</host></route>"
            + "<route domain='authfail.test' allowUnverifiedAuth='true'><auth user='relay' passwordFile='" + PASSWORD_FILE + "'/>"
            + "<host>" + AUTH_REFUSED_EVERYWHERE.address() + "</host></route>"
            + "<route domain='plainauth.test' tls='none' allowUnverifiedAuth='true' allowPlainAuth='true'><auth user='relay' passwordFile='" + PASSWORD_FILE + "'/>"
            + "<host>" + PLAIN_AUTH_ALLOWED.address() + "</host></route>"
            // Without the opt-in, AUTH needs "verify": a host with an untrusted certificate never sees it.
            + "<route domain='verifiedauth.test' tls='verify'><auth user='relay' passwordFile='" + PASSWORD_FILE + "'/>"
            + "<host priority='0'>localhost:" + AUTH_MAN_IN_THE_MIDDLE.port() + "</host>"
            + "<host priority='10'>localhost:" + AUTH_VERIFIED.port() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @BeforeAll
    static void createUser(GuiceJamesServer server) throws Exception {
        OutsiderJames.createUser(server);
    }

    @AfterAll
    static void restore() throws IOException {
        SSLContext.setDefault(JVM_DEFAULT_TLS);
        ALL_LOGS.detach();
        MAIL_LOG.detach();
        List.of(OPPORTUNISTIC, NO_TLS_WANTED, PLAIN_ONLY, REQUIRED, VERIFY_UNTRUSTED, VERIFY_WRONG_NAME, VERIFY_OK,
                AUTH_WITHOUT_TLS, AUTH_WRONG_PASSWORD, AUTH_OK, AUTH_REFUSED_EVERYWHERE, PLAIN_AUTH_ALLOWED,
                AUTH_MAN_IN_THE_MIDDLE, AUTH_VERIFIED, SENDERS)
            .forEach(ScriptedSmtpServer::close);
        Files.deleteIfExists(PASSWORD_FILE);
    }

    @Test
    void anOutsiderCannotSendToADomainWithoutRoute(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("spammer@internet.example");
            assertThat(smtp.rcptTo("victim@unrouted.example").code()).isEqualTo(550);
            // Outbound-only routes are no different for an outsider.
            assertThat(smtp.rcptTo("victim@opportunistic.test").code()).isEqualTo(550);
        }
    }

    @Test
    void opportunisticTlsEncryptsWhateverTheCertificate(GuiceJamesServer server) {
        String subject = sendAuthenticated(server, "user@opportunistic.test");

        assertThat(awaitMail(OPPORTUNISTIC, subject).tls()).isTrue();
        assertThat(MAIL_LOG.linesContaining("TLS success (opportunistic)")).isNotEmpty();
    }

    @Test
    void tlsNoneNeverStartsTls(GuiceJamesServer server) {
        String subject = sendAuthenticated(server, "user@none.test");

        assertThat(awaitMail(NO_TLS_WANTED, subject).tls()).isFalse();
        assertThat(NO_TLS_WANTED.transcript()).noneMatch(line -> line.toUpperCase().contains("STARTTLS"));
    }

    @Test
    void requiredTlsNeverSendsInClearAndFailsOverToAHostWithTls(GuiceJamesServer server) {
        String subject = sendAuthenticated(server, "user@required.test");

        assertThat(awaitMail(REQUIRED, subject).tls()).isTrue();
        assertThat(PLAIN_ONLY.connectionCount()).isPositive();
        assertThat(PLAIN_ONLY.received()).isEmpty();
        assertThat(PLAIN_ONLY.transcript()).noneMatch(line -> line.toUpperCase().contains("MAIL FROM"));
        assertThat(MAIL_LOG.linesContaining("Connection Error")).anyMatch(line -> line.contains("port: " + PLAIN_ONLY.port()));
        assertThat(MAIL_LOG.linesContaining("TLS success (required)")).isNotEmpty();
    }

    @Test
    void verifyRefusesAnUntrustedCertificateAndAWrongHostNameAndFailsOver(GuiceJamesServer server) {
        String subject = sendAuthenticated(server, "user@verify.test");

        assertThat(awaitMail(VERIFY_OK, subject).tls()).isTrue();
        assertThat(VERIFY_UNTRUSTED.connectionCount()).isPositive();
        assertThat(VERIFY_WRONG_NAME.connectionCount()).isPositive();
        assertThat(VERIFY_UNTRUSTED.received()).isEmpty();
        assertThat(VERIFY_WRONG_NAME.received()).isEmpty();
        assertThat(MAIL_LOG.linesContaining("Connection Error"))
            .anyMatch(line -> line.contains("port: " + VERIFY_UNTRUSTED.port()) && line.contains("TLS failure: PKIX path"))
            .anyMatch(line -> line.contains("port: " + VERIFY_WRONG_NAME.port()) && line.contains("TLS failure: Can't verify identity of server"));
        assertThat(MAIL_LOG.linesContaining("TLS success (verify)")).isNotEmpty();
    }

    @Test
    void authIsOnlySentOverTlsARefusedAuthFailsOverAndThePasswordIsNeverLogged(GuiceJamesServer server) throws Exception {
        String subject = sendAuthenticated(server, "user@auth.test");
        String refusedSubject = sendAuthenticated(server, "user@authfail.test");

        ReceivedMail delivered = awaitMail(AUTH_OK, subject);
        assertThat(delivered.tls()).isTrue();
        assertThat(delivered.authenticatedUser()).contains("relay");
        // The route says nothing about TLS, but AUTH upgraded it to required, and the log says so.
        String dcid = dcidOfConnectionTo(AUTH_OK);
        assertThat(MAIL_LOG.lines()).contains("DCID " + dcid + " TLS success (required)");
        // No STARTTLS on offer: the credentials were not sent in clear, the host was skipped.
        assertThat(AUTH_WITHOUT_TLS.connectionCount()).isPositive();
        assertThat(AUTH_WITHOUT_TLS.transcript()).noneMatch(line -> line.toUpperCase().startsWith("AUTH"));
        // 535 is a host failure for the route, not a bounce: the next host got the mail.
        assertThat(AUTH_WRONG_PASSWORD.connectionCount()).isPositive();
        assertThat(AUTH_WRONG_PASSWORD.received()).isEmpty();

        Mail queued = awaitRetryQueueMail(server, refusedSubject);
        List<String> secrets = List.of(PASSWORD,
            Base64.getEncoder().encodeToString(("\0relay\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
            Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)));
        List<String> attributes = new ArrayList<>();
        queued.attributes().forEach(attribute -> attributes.add(attribute.toString()));
        assertThat(attributes).isNotEmpty().noneMatch(text -> secrets.stream().anyMatch(text::contains));
        assertThat(String.join("\n", ALL_LOGS.events())).contains("auth.test").doesNotContain(secrets);
        assertThat(String.join("\n", MAIL_LOG.lines())).contains("535").doesNotContain(secrets);
    }

    @Test
    void authOverVerifiedTlsNeverGivesTheCredentialsToAHostWithAnUntrustedCertificate(GuiceJamesServer server) {
        String subject = sendAuthenticated(server, "user@verifiedauth.test");

        ReceivedMail delivered = awaitMail(AUTH_VERIFIED, subject);
        assertThat(delivered.tls()).isTrue();
        assertThat(delivered.authenticatedUser()).contains("relay");
        // The man-in-the-middle showed a certificate nobody trusts: the handshake failed, no AUTH was sent.
        assertThat(AUTH_MAN_IN_THE_MIDDLE.connectionCount()).isPositive();
        assertThat(AUTH_MAN_IN_THE_MIDDLE.authenticatedUsers()).isEmpty();
        assertThat(AUTH_MAN_IN_THE_MIDDLE.transcript()).noneMatch(line -> line.toUpperCase().startsWith("AUTH"));
        assertThat(MAIL_LOG.linesContaining("Connection Error"))
            .anyMatch(line -> line.contains("port: " + AUTH_MAN_IN_THE_MIDDLE.port()) && line.contains("TLS failure"));
    }

    @Test
    void allowPlainAuthAuthenticatesWithoutTls(GuiceJamesServer server) {
        String subject = sendAuthenticated(server, "user@plainauth.test");

        ReceivedMail delivered = awaitMail(PLAIN_AUTH_ALLOWED, subject);
        assertThat(delivered.tls()).isFalse();
        assertThat(delivered.authenticatedUser()).contains("relay");
    }

    private static String sendAuthenticated(GuiceJamesServer server, String recipient) {
        String subject = Mails.uniqueSubject(recipient);
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(smtp.mailFrom(Mails.SENDER).code()).isEqualTo(250);
            assertThat(smtp.rcptTo(recipient).code()).isEqualTo(250);
            assertThat(smtp.data(Mails.SENDER, subject).code()).isEqualTo(250);
        }
        return subject;
    }

    /** The DCID of the mail log's "New SMTP DCID n ... port P" line for {@code host}. */
    private static String dcidOfConnectionTo(ScriptedSmtpServer host) {
        String line = MAIL_LOG.linesContaining("New SMTP DCID").stream()
            .filter(text -> text.endsWith(" port " + host.port()))
            .findFirst().orElseThrow();
        return line.split(" ")[3];
    }

    private static ReceivedMail awaitMail(ScriptedSmtpServer host, String subject) {
        return InboundGatewayTest.awaitMail(host, subject);
    }

    private static Mail awaitRetryQueueMail(GuiceJamesServer server, String subject) throws Exception {
        MailRepositoryProbeImpl repositories = RoutesJames.repositories(server);
        MailRepositoryUrl retry = MailRepositoryUrl.from("file://var/mail/smtp-routes/retry/");
        await().atMost(Duration.ofSeconds(30)).until(() -> findBySubject(repositories, retry, subject) != null);
        return findBySubject(repositories, retry, subject);
    }

    private static Mail findBySubject(MailRepositoryProbeImpl repositories, MailRepositoryUrl url, String subject) throws Exception {
        for (MailKey key : repositories.listMailKeys(url)) {
            Mail mail = repositories.getMail(url, key);
            if (mail != null && subject.equals(mail.getMessage().getSubject())) {
                return mail;
            }
        }
        return null;
    }

    private static ScriptedSmtpServer tls(SelfSignedCertificate certificate, String name) {
        return ScriptedSmtpServer.start().withName(name).withStartTls(certificate.sslContext());
    }

    private static Path passwordFile(String password) {
        try {
            Path file = Files.createTempFile("route-auth", ".pw");
            Files.writeString(file, password + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
