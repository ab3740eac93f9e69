package io.github.smtproutes.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;

/**
 * A real-socket SMTP server on 127.0.0.1 that integration tests use as a destination host, and whose
 * behaviour can be scripted per {@link SmtpPhase} while it runs: other replies, dropped connections,
 * hangs, delays, per-recipient refusals, STARTTLS and AUTH. It records every accepted message, every
 * command line and every connection so tests can assert on what a relay actually did.
 *
 * <p>All methods are thread-safe; scripting changes apply to the next phase any session reaches.
 * Start one with {@link #start()}, close it (closing every client connection) with {@link #close()}.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    private static final String DEFAULT_NAME = "scripted";
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private final ServerSocket serverSocket;
    private final ExecutorService sessions;
    private final Thread acceptor;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();

    private final Map<SmtpPhase, PhaseScript> scripts = new ConcurrentHashMap<>();
    private final Map<SmtpPhase, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, String> recipientReplies = new ConcurrentHashMap<>();
    private volatile String name = DEFAULT_NAME;
    private volatile SSLContext startTls;
    private volatile Credentials credentials;
    private volatile boolean pipelining;
    private volatile boolean stopReadingContent;
    private final AtomicInteger stalledSessions = new AtomicInteger();
    private volatile Consumer<ReceivedMail> listener = mail -> { };

    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger queueIds = new AtomicInteger();
    private final List<ReceivedMail> received = new CopyOnWriteArrayList<>();
    private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());
    private final List<String> pipelined = new CopyOnWriteArrayList<>();
    private final List<String> authenticatedUsers = new CopyOnWriteArrayList<>();

    private ScriptedSmtpServer(InetAddress loopback, int port) throws IOException {
        // Loopback only: a scripted server must never be reachable from the network.
        if (!loopback.isLoopbackAddress()) {
            throw new IllegalArgumentException(loopback + " is not a loopback address");
        }
        serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(loopback, port));
        String threadPrefix = "scripted-smtp-" + serverSocket.getLocalPort();
        sessions = Executors.newCachedThreadPool(daemonThreads(threadPrefix + "-connection-"));
        acceptor = daemonThreads(threadPrefix + "-acceptor").newThread(this::acceptConnections);
        acceptor.start();
    }

    /** Starts a healthy server on a random free port. */
    public static ScriptedSmtpServer start() {
        return start(0);
    }

    /** Starts a healthy server on the given port (0 for a random free one). */
    public static ScriptedSmtpServer start(int port) {
        return start("127.0.0.1", port);
    }

    /**
     * Starts a healthy server on another loopback address, e.g. 127.0.0.2:25 for MX tests,
     * where the port cannot be chosen but the address can.
     */
    public static ScriptedSmtpServer start(String loopbackAddress, int port) {
        try {
            return new ScriptedSmtpServer(InetAddress.getByName(loopbackAddress), port);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind " + loopbackAddress + ":" + port, e);
        }
    }

    /** Runs a server for demos; see {@link DemoRunner} for the arguments. Runs until killed. */
    public static void main(String[] args) throws InterruptedException {
        ScriptedSmtpServer server;
        try {
            server = DemoRunner.launch(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(DemoRunner.USAGE);
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.closed.await();
    }

    // ---------------------------------------------------------------- configuration

    /** The name used in the greeting ("220 NAME ESMTP") and the EHLO/HELO reply. */
    public ScriptedSmtpServer withName(String serverName) {
        this.name = Objects.requireNonNull(serverName, "serverName");
        return this;
    }

    /** Advertises STARTTLS and upgrades connections with this server-side context. */
    public ScriptedSmtpServer withStartTls(SSLContext serverContext) {
        this.startTls = Objects.requireNonNull(serverContext, "serverContext");
        return this;
    }

    /**
     * Advertises PIPELINING (RFC 2920). Commands are still answered one by one, in order; the
     * server notes which ones had arrived before it answered the command in front of them
     * ({@link #pipelinedCommands()}).
     */
    public ScriptedSmtpServer withPipelining() {
        this.pipelining = true;
        return this;
    }

    /** Advertises AUTH PLAIN LOGIN, accepts only these credentials, and refuses MAIL until authenticated. */
    public ScriptedSmtpServer requireAuth(String user, String password) {
        this.credentials = new Credentials(user, password);
        return this;
    }

    /** Called (on the connection's thread) for every accepted message, after it is recorded. */
    public ScriptedSmtpServer onReceived(Consumer<ReceivedMail> mailListener) {
        this.listener = Objects.requireNonNull(mailListener, "mailListener");
        return this;
    }

    // ---------------------------------------------------------------- scripting

    /**
     * Answers {@code phase} with {@code reply} instead of the normal reply. A 2xx/3xx reply lets the
     * command take effect, a 4xx/5xx refuses it, and 421 also closes the connection. A refusing
     * CONNECT reply other than 421 leaves the client only QUIT (others get 503). Multi-line replies
     * may be given with line breaks. Replaces any drop or hang scripted for the phase.
     */
    public ScriptedSmtpServer reply(SmtpPhase phase, String reply) {
        scripts.put(Objects.requireNonNull(phase, "phase"), PhaseScript.reply(reply));
        return this;
    }

    /** Closes the connection without a reply when {@code phase} is reached (CONNECT: right after accepting). */
    public ScriptedSmtpServer drop(SmtpPhase phase) {
        scripts.put(Objects.requireNonNull(phase, "phase"), PhaseScript.drop());
        return this;
    }

    /**
     * Never answers {@code phase}: the socket stays open and input is read and ignored, until the
     * client leaves, the server closes, or {@link #heal()} (or another script for the phase) ends the
     * hang, after which the session carries on and answers normally.
     */
    public ScriptedSmtpServer hang(SmtpPhase phase) {
        scripts.put(Objects.requireNonNull(phase, "phase"), PhaseScript.hang());
        return this;
    }

    /** Waits this long before acting at {@code phase} (whether replying, dropping or hanging). */
    public ScriptedSmtpServer delayReply(SmtpPhase phase, Duration delay) {
        delays.put(Objects.requireNonNull(phase, "phase"), Objects.requireNonNull(delay, "delay"));
        return this;
    }

    /**
     * Answers DATA with 354, then never reads the message content: the TCP window closes and the
     * client's writes block, as with a receiver that stalls mid-transfer. The session holds the
     * connection open until {@link #heal()} or {@link #close()}, then drops it (nothing delivered).
     */
    public ScriptedSmtpServer stopReadingContent() {
        this.stopReadingContent = true;
        return this;
    }

    /** Answers RCPT for this address (case-insensitive) with {@code reply}; takes precedence over a RCPT phase reply. */
    public ScriptedSmtpServer rcptReply(String recipientAddress, String reply) {
        recipientReplies.put(key(recipientAddress), Replies.validate(reply));
        return this;
    }

    public ScriptedSmtpServer clearRecipientReplies() {
        recipientReplies.clear();
        return this;
    }

    /**
     * Back to a healthy server: clears phase scripts, delays and recipient replies, and releases
     * hanging sessions. Keeps configuration (name, STARTTLS, required AUTH) and recordings.
     */
    public ScriptedSmtpServer heal() {
        scripts.clear();
        delays.clear();
        recipientReplies.clear();
        stopReadingContent = false;
        return this;
    }

    /**
     * Closes every open client connection without a reply, as a server does with sessions it
     * considers idle; the server keeps accepting new ones.
     */
    public ScriptedSmtpServer closeClientConnections() {
        List.copyOf(clients).forEach(this::forget);
        return this;
    }

    // ---------------------------------------------------------------- observations

    /** TCP connections accepted so far; also the number of the latest connection. */
    public int connectionCount() {
        return connections.get();
    }

    /** Sessions that have stopped reading a message's content ({@link #stopReadingContent()}) so far. */
    public int stalledSessions() {
        return stalledSessions.get();
    }

    /** Every message whose final "." got a 2xx reply, in arrival order. */
    public List<ReceivedMail> received() {
        return List.copyOf(received);
    }

    /**
     * Every command line received, as "N: LINE" with N the connection number. Message content is not
     * included, and AUTH credentials are replaced by {@code <redacted>} ("N: AUTH PLAIN <redacted>",
     * "N: AUTH <redacted>" for each response to a 334 challenge).
     */
    public List<String> transcript() {
        synchronized (transcript) {
            return List.copyOf(transcript);
        }
    }

    /**
     * The command lines, as "N: LINE" like {@link #transcript()}, that were already waiting when the
     * server read the command before them: the client sent them without waiting for a reply.
     */
    public List<String> pipelinedCommands() {
        return List.copyOf(pipelined);
    }

    /** How many messages were accepted over connection number {@code connectionNumber}. */
    public int transactionsOnConnection(int connectionNumber) {
        return (int) received.stream().filter(mail -> mail.connectionNumber() == connectionNumber).count();
    }

    /** Users that authenticated successfully, one entry per successful AUTH. */
    public List<String> authenticatedUsers() {
        return List.copyOf(authenticatedUsers);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** "127.0.0.1:PORT". */
    public String address() {
        return serverSocket.getInetAddress().getHostAddress() + ":" + port();
    }

    public String name() {
        return name;
    }

    /** Stops accepting, closes every client connection and waits briefly for the session threads. */
    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        closed.countDown();
        closeQuietly(serverSocket);
        clients.forEach(ScriptedSmtpServer::closeQuietly);
        sessions.shutdownNow();
        awaitThreads();
    }

    @Override
    public String toString() {
        return "ScriptedSmtpServer{" + name + "@" + address() + ", scripts=" + scripts + "}";
    }

    // ---------------------------------------------------------------- for sessions

    PhaseScript scriptFor(SmtpPhase phase) {
        return scripts.getOrDefault(phase, PhaseScript.NORMAL);
    }

    Duration delayFor(SmtpPhase phase) {
        return delays.get(phase);
    }

    String recipientReply(String recipient) {
        return recipientReplies.get(key(recipient));
    }

    SSLContext startTlsContext() {
        return startTls;
    }

    Credentials credentials() {
        return credentials;
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Sleeps, waking early if the server closes; returns false if it did. */
    boolean sleepUnlessClosed(Duration duration) {
        try {
            return !closed.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    int nextQueueId() {
        return queueIds.incrementAndGet();
    }

    void recordCommand(int connectionNumber, String line) {
        transcript.add(connectionNumber + ": " + line);
    }

    void recordPipelined(int connectionNumber, String line) {
        pipelined.add(connectionNumber + ": " + line);
    }

    boolean pipelining() {
        return pipelining;
    }

    /** Whether a session that just answered DATA must stop reading; counts it as stalled if so. */
    boolean stallContent() {
        if (stopReadingContent) {
            stalledSessions.incrementAndGet();
            return true;
        }
        return false;
    }

    boolean stillStallingContent() {
        return stopReadingContent && !isClosed();
    }

    void recordAuthentication(String user) {
        authenticatedUsers.add(user);
    }

    void recordMail(ReceivedMail mail) {
        received.add(mail);
        try {
            listener.accept(mail);
        } catch (RuntimeException e) {
            // A failing listener must not turn an accepted message into a broken session.
            e.printStackTrace();
        }
    }

    void forget(Socket client) {
        clients.remove(client);
        closeQuietly(client);
    }

    // ---------------------------------------------------------------- internals

    private void acceptConnections() {
        while (!isClosed()) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (isClosed()) {
                    return;
                }
                continue;
            }
            serve(client, connections.incrementAndGet());
        }
    }

    private void serve(Socket client, int connectionNumber) {
        clients.add(client);
        // Registered before checking, so close() either sees this socket or we see close().
        if (isClosed()) {
            forget(client);
            return;
        }
        try {
            sessions.execute(new SmtpSession(this, connectionNumber, client));
        } catch (RejectedExecutionException e) {
            forget(client);
        }
    }

    private void awaitThreads() {
        try {
            sessions.awaitTermination(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            acceptor.join(CLOSE_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String key(String address) {
        return Objects.requireNonNull(address, "recipientAddress").toLowerCase(Locale.ROOT);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            // Daemon threads: a test that forgets close() must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // Best effort while shutting down.
        }
    }

    /** The one user/password pair the server accepts; immutable so it can be swapped atomically. */
    static final class Credentials {
        private final String user;
        private final String password;

        Credentials(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
        }

        boolean matches(String candidateUser, String candidatePassword) {
            return user.equals(candidateUser) && password.equals(candidatePassword);
        }

        @Override
        public String toString() {
            return "Credentials{" + user + ", <redacted>}"; // never leak the password into logs
        }
    }
}
