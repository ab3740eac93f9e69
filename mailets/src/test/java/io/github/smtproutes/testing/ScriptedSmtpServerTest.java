package io.github.smtproutes.testing;

import static io.github.smtproutes.testing.SmtpPhase.CONNECT;
import static io.github.smtproutes.testing.SmtpPhase.DOT;
import static io.github.smtproutes.testing.SmtpPhase.MAIL;
import static io.github.smtproutes.testing.SmtpPhase.RCPT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import javax.mail.Address;
import javax.mail.AuthenticationFailedException;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.SendFailedException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.mail.smtp.SMTPTransport;

/**
 * Proves {@link ScriptedSmtpServer} behaves like a real SMTP server when healthy and fails exactly as
 * scripted, driven by javax.mail's SMTPTransport (what James's relay uses) and by a raw socket where
 * the precise wire behaviour matters.
 */
class ScriptedSmtpServerTest {
    private static final Duration QUICK = Duration.ofSeconds(3);
    private static volatile SelfSignedCertificate certificate;

    private final List<ScriptedSmtpServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(ScriptedSmtpServer::close);
    }

    // ---------------------------------------------------------------- healthy behaviour

    @Test
    void healthyDeliveryIsRecordedWithEnvelopeAndBody() throws Exception {
        ScriptedSmtpServer server = newServer();
        Session session = session(server, props("mail.smtp.from", "bounces@sender.test"));

        try (SMTPTransport transport = connect(session)) {
            transport.sendMessage(message(session, "Hello", "first line\n.starts with a dot\n"),
                    addresses("alice@dest.test", "bob@dest.test"));
        }

        assertThat(server.received()).hasSize(1);
        ReceivedMail mail = server.received().get(0);
        assertThat(mail.sender()).isEqualTo("bounces@sender.test");
        assertThat(mail.recipients()).containsExactly("alice@dest.test", "bob@dest.test");
        assertThat(mail.header("Subject")).contains("Hello");
        assertThat(mail.body()).isEqualTo("first line\r\n.starts with a dot\r\n");
        assertThat(mail.connectionNumber()).isEqualTo(1);
        assertThat(mail.tls()).isFalse();
        assertThat(mail.authenticatedUser()).isEmpty();
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.transcript()).contains("1: MAIL FROM:<bounces@sender.test>",
                "1: RCPT TO:<alice@dest.test>", "1: DATA", "1: QUIT");
        assertThat(server.transcript().get(0)).startsWith("1: EHLO ");
    }

    @Test
    void speaksPlainSmtpWithDefaultRepliesAndWithoutPipelining() throws Exception {
        ScriptedSmtpServer server = newServer();
        try (RawClient client = new RawClient(server)) {
            assertThat(client.readReply()).isEqualTo("220 scripted ESMTP");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("503 ");
            String ehlo = client.send("EHLO client.test");
            assertThat(ehlo).startsWith("250-scripted Hello client.test")
                    .contains("250-8BITMIME", "SIZE ").doesNotContain("PIPELINING", "STARTTLS", "AUTH");
            assertThat(client.send("NOOP")).isEqualTo("250 2.0.0 Ok");
            assertThat(client.send("VRFY someone")).startsWith("502 ");
            assertThat(client.send("MAIL FROM:<>")).isEqualTo("250 2.1.0 Ok");
            assertThat(client.send("DATA")).isEqualTo("554 5.5.1 No valid recipients");
            assertThat(client.send("RCPT TO:<x@dest.test>")).isEqualTo("250 2.1.5 Ok");
            assertThat(client.send("DATA")).isEqualTo("354 End data with <CR><LF>.<CR><LF>");
            assertThat(client.send("Subject: raw\r\n\r\n..dotted\r\n.")).startsWith("250 2.0.0 Ok: queued as ");
            assertThat(client.send("RSET")).isEqualTo("250 2.0.0 Ok");
            assertThat(client.send("QUIT")).isEqualTo("221 2.0.0 Bye");
            client.assertClosedByServer();
        }
        ReceivedMail mail = server.received().get(0);
        assertThat(mail.sender()).isEmpty();
        assertThat(mail.data()).isEqualTo("Subject: raw\r\n\r\n.dotted\r\n");
    }

    @Test
    void countsSeveralTransactionsOnOneConnection() throws Exception {
        ScriptedSmtpServer server = newServer();
        Session session = session(server, new Properties());

        try (SMTPTransport transport = connect(session)) {
            for (int i = 1; i <= 3; i++) {
                transport.sendMessage(message(session, "message " + i, "body"), addresses("r@dest.test"));
            }
        }
        try (SMTPTransport transport = connect(session)) {
            transport.sendMessage(message(session, "message 4", "body"), addresses("r@dest.test"));
        }

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.transactionsOnConnection(1)).isEqualTo(3);
        assertThat(server.transactionsOnConnection(2)).isEqualTo(1);
        assertThat(server.received()).extracting(mail -> mail.header("Subject").orElse(""))
                .containsExactly("message 1", "message 2", "message 3", "message 4");
    }

    // ---------------------------------------------------------------- scripted failures

    @Test
    void greeting421IsSeenByTheClientAndClosesTheConnection() throws Exception {
        ScriptedSmtpServer server = newServer().reply(CONNECT, "421 4.3.1 Mail system full");

        assertThatThrownBy(() -> connect(session(server, new Properties())).close())
                .isInstanceOf(MessagingException.class).hasMessageContaining("response: 421");
        try (RawClient client = new RawClient(server)) {
            assertThat(client.readReply()).isEqualTo("421 4.3.1 Mail system full");
            client.assertClosedByServer();
        }
        assertThat(server.received()).isEmpty();
    }

    @Test
    void refusingGreetingOnlyAcceptsQuit() throws Exception {
        ScriptedSmtpServer server = newServer().reply(CONNECT, "554 5.7.1 Go away");
        try (RawClient client = new RawClient(server)) {
            assertThat(client.readReply()).isEqualTo("554 5.7.1 Go away");
            assertThat(client.send("EHLO client.test")).startsWith("503 ");
            assertThat(client.send("QUIT")).isEqualTo("221 2.0.0 Bye");
            client.assertClosedByServer();
        }
    }

    @Test
    void dropAtConnectClosesRightAfterAccepting() throws Exception {
        ScriptedSmtpServer server = newServer().drop(CONNECT);
        try (RawClient client = new RawClient(server)) {
            client.assertClosedByServer();
        }
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void dropAtRcptClosesTheSocketWithoutReply() throws Exception {
        ScriptedSmtpServer server = newServer().drop(RCPT);
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("250");
            client.write("RCPT TO:<x@dest.test>");
            client.assertClosedByServer();
        }
        Session session = session(server, new Properties());
        SMTPTransport transport = connect(session);
        assertThatThrownBy(() -> transport.sendMessage(message(session, "s", "b"), addresses("x@dest.test")))
                .isInstanceOf(MessagingException.class);
        assertThat(transport.isConnected()).isFalse();
        assertThat(server.received()).isEmpty();
    }

    @Test
    void a421AfterTheGreetingAlsoClosesTheConnection() throws Exception {
        ScriptedSmtpServer server = newServer().reply(MAIL, "421 4.3.2 Shutting down");
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            assertThat(client.send("MAIL FROM:<a@b.test>")).isEqualTo("421 4.3.2 Shutting down");
            client.assertClosedByServer();
        }
    }

    @Test
    void hangAtDotMakesAClientWithOneSecondTimeoutTimeOut() throws Exception {
        ScriptedSmtpServer server = newServer().hang(DOT);
        Session session = session(server, props("mail.smtp.timeout", "1000"));

        long start = System.nanoTime();
        try (SMTPTransport transport = connect(session)) {
            assertThatThrownBy(() -> transport.sendMessage(message(session, "s", "b"), addresses("x@dest.test")))
                    .isInstanceOf(MessagingException.class)
                    .satisfies(e -> assertThat(rootCause(e)).isInstanceOf(SocketTimeoutException.class));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(server.received()).isEmpty();

        server.heal();
        try (SMTPTransport transport = connect(session)) {
            transport.sendMessage(message(session, "after heal", "b"), addresses("x@dest.test"));
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void healReleasesAHangingSessionWhichThenRepliesNormally() throws Exception {
        ScriptedSmtpServer server = newServer().hang(MAIL);
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            client.write("MAIL FROM:<a@b.test>");
            client.assertNoReplyWithin(Duration.ofMillis(300));
            server.heal();
            assertThat(client.readReply()).isEqualTo("250 2.1.0 Ok");
        }
    }

    @Test
    void aServerThatStopsReadingContentBlocksTheClientsWritesUntilHealed() throws Exception {
        ScriptedSmtpServer server = newServer().stopReadingContent();
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            client.send("MAIL FROM:<a@b.test>");
            client.send("RCPT TO:<x@dest.test>");
            assertThat(client.send("DATA")).startsWith("354");
            await().atMost(QUICK).until(() -> server.stalledSessions() == 1);

            // Far more than any socket buffers hold: a write blocks once the TCP window is shut.
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                try {
                    for (int i = 0; i < 1024; i++) {
                        client.out.write(chunk);
                    }
                } catch (IOException closed) {
                    // The server dropped the connection once healed.
                }
            });
            writer.start();
            writer.join(1_000);
            assertThat(writer.isAlive()).as("the write is blocked").isTrue();

            server.heal();
            writer.join(QUICK.toMillis());
            assertThat(writer.isAlive()).as("the healed server dropped the stalled session").isFalse();
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void scriptsCanBeFlippedWhileRunning() throws Exception {
        ScriptedSmtpServer server = newServer().reply(MAIL, "451 4.3.0 Try again later");
        Session session = session(server, new Properties());

        try (SMTPTransport transport = connect(session)) {
            assertThatThrownBy(() -> transport.sendMessage(message(session, "s", "b"), addresses("x@dest.test")))
                    .isInstanceOf(MessagingException.class).hasMessageContaining("451 4.3.0");
        }
        server.heal();
        try (SMTPTransport transport = connect(session)) {
            transport.sendMessage(message(session, "s", "b"), addresses("x@dest.test"));
        }
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void perRecipientRcptReplies() throws Exception {
        ScriptedSmtpServer server = newServer()
                .rcptReply("full@dest.test", "452 4.2.2 Mailbox full")
                .rcptReply("Nobody@Dest.test", "550 5.1.1 No such user");
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            client.send("MAIL FROM:<a@b.test>");
            assertThat(client.send("RCPT TO:<ok@dest.test>")).isEqualTo("250 2.1.5 Ok");
            assertThat(client.send("RCPT TO:<full@dest.test>")).isEqualTo("452 4.2.2 Mailbox full");
            assertThat(client.send("RCPT TO:<nobody@dest.test>")).isEqualTo("550 5.1.1 No such user");
        }

        Session session = session(server, props("mail.smtp.sendpartial", "true"));
        try (SMTPTransport transport = connect(session)) {
            assertThatThrownBy(() -> transport.sendMessage(message(session, "s", "b"),
                    addresses("ok@dest.test", "full@dest.test", "nobody@dest.test")))
                    .isInstanceOfSatisfying(SendFailedException.class, e -> {
                        assertThat(e.getValidSentAddresses()).extracting(Address::toString).containsExactly("ok@dest.test");
                        assertThat(e.getValidUnsentAddresses()).extracting(Address::toString).containsExactly("full@dest.test");
                        assertThat(e.getInvalidAddresses()).extracting(Address::toString).containsExactly("nobody@dest.test");
                    });
        }
        assertThat(server.received()).singleElement()
                .satisfies(mail -> assertThat(mail.recipients()).containsExactly("ok@dest.test"));

        server.clearRecipientReplies();
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            client.send("MAIL FROM:<a@b.test>");
            assertThat(client.send("RCPT TO:<full@dest.test>")).isEqualTo("250 2.1.5 Ok");
        }
    }

    @Test
    void delayReplySlowsThePhaseDown() throws Exception {
        ScriptedSmtpServer server = newServer().delayReply(MAIL, Duration.ofMillis(300));
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            long start = System.nanoTime();
            assertThat(client.send("MAIL FROM:<a@b.test>")).isEqualTo("250 2.1.0 Ok");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }

    @Test
    void rejectsRepliesWithoutACode() {
        ScriptedSmtpServer server = newServer();
        assertThatThrownBy(() -> server.reply(MAIL, "Ok")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.rcptReply("a@b.test", "150 odd")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- TLS and AUTH

    @Test
    void startTlsUpgradesForAClientTrustingTheSelfSignedCertificate() throws Exception {
        SelfSignedCertificate cert = certificate();
        ScriptedSmtpServer server = newServer().withStartTls(cert.sslContext());
        Properties props = props("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.socketFactory", cert.clientSslContext().getSocketFactory());
        Session session = session(server, props);

        try (SMTPTransport transport = connect(session)) {
            transport.sendMessage(message(session, "secret", "b"), addresses("x@dest.test"));
        }

        assertThat(cert.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(server.received()).singleElement().satisfies(mail -> assertThat(mail.tls()).isTrue());
        assertThat(server.transcript()).filteredOn(line -> line.startsWith("1: EHLO")).hasSize(2);
        assertThat(server.transcript()).contains("1: STARTTLS");
    }

    @Test
    void authAcceptsTheRightCredentialsAndRejectsWrongOnes() throws Exception {
        String password = "s3cret-Pa55";
        ScriptedSmtpServer server = newServer().requireAuth("alice", password);
        Session session = session(server, props("mail.smtp.auth", "true"));

        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect("127.0.0.1", server.port(), "alice", password); // javax.mail picks LOGIN
            transport.sendMessage(message(session, "s", "b"), addresses("x@dest.test"));
        }
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            assertThatThrownBy(() -> transport.connect("127.0.0.1", server.port(), "alice", "wrong"))
                    .isInstanceOf(AuthenticationFailedException.class);
        }
        String plain = Base64.getEncoder().encodeToString(("\0alice\0" + password).getBytes(StandardCharsets.UTF_8));
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            assertThat(client.send("EHLO client.test")).contains("250 AUTH PLAIN LOGIN");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("530 5.7.0");
            assertThat(client.send("AUTH PLAIN " + plain)).startsWith("235 ");
            assertThat(client.send("MAIL FROM:<a@b.test>")).startsWith("250 ");
        }

        assertThat(server.authenticatedUsers()).containsExactly("alice", "alice");
        assertThat(server.received()).singleElement()
                .satisfies(mail -> assertThat(mail.authenticatedUser()).contains("alice"));
        String base64Password = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
        assertThat(String.join("\n", server.transcript()))
                .doesNotContain(password, base64Password, plain)
                .contains("1: AUTH LOGIN", "1: AUTH <redacted>", "3: AUTH PLAIN <redacted>");
    }

    // ---------------------------------------------------------------- lifecycle and demo

    @Test
    void closingTheServerClosesClientConnectionsPromptly() throws Exception {
        ScriptedSmtpServer server = newServer().hang(MAIL);
        try (RawClient client = new RawClient(server)) {
            client.readReply();
            client.send("EHLO client.test");
            client.write("MAIL FROM:<a@b.test>");
            await().atMost(QUICK).until(() -> server.transcript().contains("1: MAIL FROM:<a@b.test>"));

            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            client.assertClosedByServer();
        }
    }

    @Test
    void demoRunnerAppliesRepliesAndPrintsReceivedMail() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        ScriptedSmtpServer server = track(DemoRunner.launch(new String[] {"--port", "0", "--name", "hostA",
                "--reply", "CONNECT=421 4.3.1 Mail system full", "--print"}, out));

        try (RawClient client = new RawClient(server)) {
            assertThat(client.readReply()).isEqualTo("421 4.3.1 Mail system full");
        }
        server.heal();
        Session session = session(server, props("mail.smtp.from", "s@src.test"));
        try (SMTPTransport transport = connect(session)) {
            transport.sendMessage(message(session, "demo", "hello"), addresses("x@dest.test"));
        }

        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("[hostA] listening on " + server.address())
                .contains("[hostA] mail from=<s@src.test> to=[x@dest.test]")
                .contains("Subject: demo");
        assertThatThrownBy(() -> DemoRunner.launch(new String[] {"--name", "x"}, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--port");
        assertThatThrownBy(() -> DemoRunner.launch(new String[] {"--port", "0", "--reply", "BOGUS=250 x"}, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BOGUS");
    }

    // ---------------------------------------------------------------- helpers

    private ScriptedSmtpServer newServer() {
        return track(ScriptedSmtpServer.start());
    }

    private ScriptedSmtpServer track(ScriptedSmtpServer server) {
        servers.add(server);
        return server;
    }

    private static synchronized SelfSignedCertificate certificate() {
        if (certificate == null) {
            certificate = SelfSignedCertificate.create("localhost");
        }
        return certificate;
    }

    private static Properties props(String key, String value) {
        Properties props = new Properties();
        props.put(key, value);
        return props;
    }

    private static Session session(ScriptedSmtpServer server, Properties extra) {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(server.port()));
        props.put("mail.smtp.connectiontimeout", "2000");
        props.put("mail.smtp.timeout", "2000");
        props.putAll(extra);
        return Session.getInstance(props);
    }

    private static SMTPTransport connect(Session session) throws MessagingException {
        SMTPTransport transport = (SMTPTransport) session.getTransport("smtp");
        transport.connect();
        return transport;
    }

    private static MimeMessage message(Session session, String subject, String body) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("author@sender.test"));
        message.setRecipients(Message.RecipientType.TO, "someone@dest.test");
        message.setSubject(subject);
        message.setText(body, "UTF-8");
        message.saveChanges();
        return message;
    }

    private static Address[] addresses(String... emails) throws MessagingException {
        Address[] addresses = new Address[emails.length];
        for (int i = 0; i < emails.length; i++) {
            addresses[i] = new InternetAddress(emails[i]);
        }
        return addresses;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A line-at-a-time SMTP client over a plain socket, for checking exact wire behaviour. */
    private static final class RawClient implements Closeable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        RawClient(ScriptedSmtpServer server) throws IOException {
            socket = new Socket("127.0.0.1", server.port());
            socket.setSoTimeout((int) QUICK.toMillis());
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        /** Sends a line and returns the (possibly multi-line) reply, lines joined by "\n". */
        String send(String line) throws IOException {
            write(line);
            return readReply();
        }

        void write(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String readReply() throws IOException {
            StringBuilder reply = new StringBuilder();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed; reply so far: " + reply);
                }
                reply.append(reply.length() == 0 ? "" : "\n").append(line);
            } while (line.length() > 3 && line.charAt(3) == '-');
            return reply.toString();
        }

        void assertNoReplyWithin(Duration duration) throws IOException {
            socket.setSoTimeout((int) duration.toMillis());
            try {
                assertThatThrownBy(in::readLine).isInstanceOf(SocketTimeoutException.class);
            } finally {
                socket.setSoTimeout((int) QUICK.toMillis());
            }
        }

        void assertClosedByServer() throws IOException {
            try {
                assertThat(in.read()).as("end of stream").isEqualTo(-1);
            } catch (SocketException reset) {
                // A reset also proves the server closed its side.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
