package io.github.smtproutes.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A line-by-line SMTP client for tests that must see James's reply to each command (a RCPT
 * refused with 530, an AUTH refused with 535) rather than only whether a mail got through. It
 * connects from 127.0.0.1 like every test client; whether James counts that address as trusted
 * is decided by the test's {@code authorizedAddresses}.
 */
public final class SmtpDialog implements AutoCloseable {
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    private Reply ehlo;

    private SmtpDialog(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket connected) throws IOException {
        this.socket = connected;
        this.in = new BufferedReader(new InputStreamReader(connected.getInputStream(), StandardCharsets.ISO_8859_1));
        this.out = connected.getOutputStream();
    }

    /** Connects to James, reads the greeting and says EHLO. */
    public static SmtpDialog open(int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(30_000);
            SmtpDialog dialog = new SmtpDialog(socket);
            dialog.expect(dialog.read(), 220);
            dialog.ehlo = dialog.expect(dialog.command("EHLO outsider.example"), 250);
            return dialog;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** James's reply to the last EHLO: the extensions it offers. */
    public Reply ehlo() {
        return ehlo;
    }

    /**
     * STARTTLS (RFC 3207), trusting whatever certificate James shows (the shipped one is
     * self-signed), then EHLO again; returns the reply to STARTTLS.
     */
    public Reply startTls() {
        Reply reply = command("STARTTLS");
        if (reply.code() != 220) {
            return reply;
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingManager()}, null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory()
                .createSocket(socket, "localhost", socket.getPort(), true);
            tls.startHandshake();
            attach(tls);
            ehlo = expect(command("EHLO outsider.example"), 250);
            return reply;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("STARTTLS with James failed", e);
        }
    }

    /**
     * Logs in the way a mail client does: STARTTLS first when James offers it (AUTH is only
     * offered over TLS then), then AUTH PLAIN, which must succeed.
     */
    public void authenticate(String user, String password) {
        if (ehlo.text().contains("STARTTLS")) {
            expect(startTls(), 220);
        }
        expect(authPlain(user, password), 235);
    }

    /** AUTH PLAIN with the initial response (RFC 4616); returns James's reply. */
    public Reply authPlain(String user, String password) {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    public Reply mailFrom(String sender) {
        return command("MAIL FROM:<" + sender + ">");
    }

    public Reply rcptTo(String recipient) {
        return command("RCPT TO:<" + recipient + ">");
    }

    /** DATA with a small message carrying {@code subject}; returns the reply to the final dot. */
    public Reply data(String from, String subject) {
        expect(command("DATA"), 354);
        String message = "From: " + from + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + UUID.randomUUID() + "@outsider.example>\r\n"
            + "\r\n"
            + "Body of " + subject + "\r\n"
            + ".";
        return command(message);
    }

    /** Sends one command line and reads the whole (possibly multi-line) reply. */
    public Reply command(String line) {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            command("QUIT");
        } catch (UncheckedIOException e) {
            // James may already have closed the session.
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }

    private Reply read() throws IOException {
        StringBuilder text = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("James closed the connection; so far: " + text);
            }
            text.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        return new Reply(Integer.parseInt(line.substring(0, 3)), text.toString().trim());
    }

    private Reply expect(Reply reply, int code) {
        if (reply.code() != code) {
            throw new IllegalStateException("expected " + code + " but James said: " + reply);
        }
        return reply;
    }

    /** Trusts any server certificate: the test only needs the channel encrypted. */
    private static final class TrustingManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** One SMTP reply: its code and its full text. */
    public static final class Reply {
        private final int code;
        private final String text;

        Reply(int code, String text) {
            this.code = code;
            this.text = text;
        }

        public int code() {
            return code;
        }

        public String text() {
            return text;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
