package io.github.smtproutes.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The byte level of one SMTP connection: reads CRLF lines and DATA content, writes replies, and
 * swaps the plain socket for a server-side {@link SSLSocket} on STARTTLS. Knows nothing of commands;
 * the server closes the underlying accepted socket, which also ends any TLS layered on it.
 */
final class SmtpWire {
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;

    SmtpWire(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket newSocket) throws IOException {
        socket = newSocket;
        in = new BufferedInputStream(newSocket.getInputStream());
        out = new BufferedOutputStream(newSocket.getOutputStream());
    }

    boolean isTls() {
        return tls;
    }

    /** Whether input is already waiting: bytes the client sent before it saw our last reply. */
    boolean hasWaitingInput() throws IOException {
        return in.available() > 0;
    }

    /** The next line without its line ending, or null at end of stream. */
    String readLine() throws IOException {
        byte[] line = readRawLine();
        return line == null ? null : new String(line, StandardCharsets.UTF_8);
    }

    /**
     * Message content up to the "." line, dot-unstuffed, with CRLF line endings; null if the client
     * disconnects first.
     */
    byte[] readData() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] line;
        while ((line = readRawLine()) != null) {
            if (line.length == 1 && line[0] == '.') {
                return data.toByteArray();
            }
            // RFC 5321 4.5.2: a leading dot was doubled by the client for transparency; remove it.
            int skip = line.length > 0 && line[0] == '.' ? 1 : 0;
            data.write(line, skip, line.length - skip);
            data.write('\r');
            data.write('\n');
        }
        return null;
    }

    void send(String reply) throws IOException {
        out.write(Replies.wireFormat(reply).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Runs the server side of a TLS handshake over the current socket and continues over TLS. */
    void upgradeToTls(SSLContext context) throws IOException {
        SSLSocket secure = (SSLSocket) context.getSocketFactory().createSocket(
                socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        secure.setUseClientMode(false);
        // A client that never starts the handshake must not pin this thread forever.
        secure.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
        secure.startHandshake();
        secure.setSoTimeout(0);
        // Replacing the buffers discards anything the client sent after STARTTLS in plaintext:
        // RFC 3207 section 6 says such input must not be trusted (command injection).
        attach(secure);
        tls = true;
    }

    /**
     * Reads and throws away whatever arrives within the given time. Returns false once the client has
     * closed its side, so a hanging session notices that nobody is waiting any more.
     */
    boolean discardInputFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read(new byte[512]) >= 0;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(0);
        }
    }

    private byte[] readRawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return withoutTrailingCr(line.toByteArray());
            }
            line.write(b);
        }
        // A partial line at end of stream is not a command the client committed to.
        return null;
    }

    // Lines end in CRLF (RFC 5321 2.3.8); a bare LF is tolerated so hand-typed sessions still work.
    private static byte[] withoutTrailingCr(byte[] line) {
        if (line.length > 0 && line[line.length - 1] == '\r') {
            byte[] trimmed = new byte[line.length - 1];
            System.arraycopy(line, 0, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return line;
    }
}
