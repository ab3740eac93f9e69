package io.github.smtproutes.smtp;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/**
 * The client socket of one SMTP session, which knows two things a plain socket does not.
 * <ul>
 *   <li><b>Whose fault a failure is.</b> Its streams record every I/O error of the socket itself
 *   (a reset, a read timeout, a write cut off by the watchdog). An exception while a mail is
 *   being written that did not come from here came from our side (reading the message), and
 *   must never count against the host.</li>
 *   <li><b>How long it has been blocked.</b> Java sockets have no write timeout: a receiver that
 *   stops reading (zero TCP window) blocks a write for ever. The streams tell
 *   {@link SocketWatchdog} when a write starts and ends, the session when a transaction starts
 *   and ends, and the watchdog closes the socket when either runs past its bound.</li>
 * </ul>
 * javax.mail reaches these streams for plain and STARTTLS sessions alike: a TLS socket layered
 * over this one reads and writes through them.
 */
final class WatchedSocket extends Socket {
    private final long writeNanos;
    private final long transactionNanos;
    private volatile boolean writing;
    private volatile long writeStart;
    private volatile boolean inTransaction;
    private volatile long transactionStart;
    private volatile String expired;
    private volatile IOException failure;
    private OutputStream output;
    private InputStream input;

    WatchedSocket(Duration writeTimeout, Duration transactionTimeout) {
        this.writeNanos = writeTimeout.toNanos();
        this.transactionNanos = transactionTimeout.toNanos();
        SocketWatchdog.watch(this);
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (output == null) {
            output = new WatchedOutput(super.getOutputStream());
        }
        return output;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = new WatchedInput(super.getInputStream());
        }
        return input;
    }

    @Override
    public synchronized void close() throws IOException {
        SocketWatchdog.forget(this);
        super.close();
    }

    /** A mail transaction starts: from now on it must end within the transaction bound. */
    void transactionStarted() {
        transactionStart = System.nanoTime();
        inTransaction = true;
    }

    void transactionEnded() {
        inTransaction = false;
    }

    /**
     * Whether the socket itself failed (an I/O error on read or write, or the watchdog cut it):
     * what went wrong lies with the connection to the host, not with this side.
     */
    boolean failed() {
        return failure != null || expired != null;
    }

    /** What bound the watchdog enforced, if it closed this socket. */
    Optional<String> expired() {
        return Optional.ofNullable(expired);
    }

    /** Called by the watchdog: closes the socket when a write or the transaction is overdue. */
    void closeIfOverdue(long now) {
        String overdue = null;
        if (writing && now - writeStart > writeNanos) {
            overdue = "no progress writing to the host within " + Duration.ofNanos(writeNanos).toMillis() + " ms";
        } else if (inTransaction && now - transactionStart > transactionNanos) {
            overdue = "transaction not done within " + Duration.ofNanos(transactionNanos).toMillis() + " ms";
        }
        if (overdue != null) {
            expired = overdue;
            try {
                // Unblocks the thread stuck in write or read: it gets a SocketException.
                close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }

    private IOException failed(IOException e) {
        failure = e;
        return e;
    }

    /** Marks each write, so that the watchdog sees one that blocks. */
    private final class WatchedOutput extends FilterOutputStream {
        WatchedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writeStart = System.nanoTime();
            writing = true;
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failed(e);
            } finally {
                writing = false;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw failed(e);
            }
        }
    }

    /** Records read failures (a reset, a reply timeout, the host closing) as the socket's. */
    private final class WatchedInput extends FilterInputStream {
        WatchedInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return endOfStreamNoted(in.read());
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return endOfStreamNoted(in.read(b, off, len));
            } catch (IOException e) {
                throw failed(e);
            }
        }

        /** The host closed the connection: as much the connection's failure as a reset. */
        private int endOfStreamNoted(int read) {
            if (read < 0) {
                failure = new java.io.EOFException("connection closed by the host");
            }
            return read;
        }
    }
}
