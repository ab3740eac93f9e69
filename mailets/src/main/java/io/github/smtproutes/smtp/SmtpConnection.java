package io.github.smtproutes.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Address;
import javax.mail.AuthenticationFailedException;
import javax.mail.MessagingException;
import javax.mail.SendFailedException;
import javax.mail.internet.InternetAddress;

import org.apache.james.core.MailAddress;

import com.sun.mail.smtp.SMTPAddressFailedException;
import com.sun.mail.smtp.SMTPSendFailedException;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteAuth;
import io.github.smtproutes.routes.TlsMode;

/**
 * One open SMTP session with one destination host, ready for mail transactions. It opens the TCP
 * connection itself (so it knows the local interface and controls the connect timeout), then
 * lets javax.mail's SMTPTransport speak the protocol over it, with the route's TLS and AUTH
 * settings. Every failure is written into a {@link SessionTrace} rather than thrown: callers get
 * facts, and {@link OutcomeClassifier} gives them meaning. Its {@link WatchedSocket} bounds each
 * write and each transaction, and tells the host's failures (the socket's) from this side's
 * (reading the message, a bug), which are recorded as such and never blamed on the host.
 */
public final class SmtpConnection implements AutoCloseable {
    private final HostAddress host;
    private final long dcid;
    private final WatchedSocket socket;
    private final SessionCache.Lease session;
    private final PhaseTrackingTransport transport;
    private int transactions;
    private boolean used;

    private SmtpConnection(HostAddress host, long dcid, WatchedSocket socket, SessionCache.Lease session, PhaseTrackingTransport transport) {
        this.host = host;
        this.dcid = dcid;
        this.socket = socket;
        this.session = session;
        this.transport = transport;
    }

    /**
     * Connects, reads the greeting, says EHLO, and does STARTTLS and AUTH as the route asks.
     * On failure the trace holds the phase and reply, the mail log has its "Connection Error"
     * line, and the result is empty.
     */
    public static Optional<SmtpConnection> open(HostAddress host, Route route, ClientSettings settings, String domain, SessionTrace trace) {
        return open(host, route, settings, domain, trace, false);
    }

    /** As {@link #open(HostAddress, Route, ClientSettings, String, SessionTrace)}; {@code probe} marks its mail-log lines as a side probe's. */
    public static Optional<SmtpConnection> open(HostAddress host, Route route, ClientSettings settings, String domain, SessionTrace trace,
                                                boolean probe) {
        long dcid = MailLog.nextDcid();
        WatchedSocket socket = new WatchedSocket(settings.writeTimeout(), settings.transactionTimeout());
        trace.enter(SmtpPhase.CONNECT);
        try {
            // Named address: javax.mail takes the host name for TLS checks from the socket, and an
            // address created with its name never triggers a reverse lookup.
            InetAddress named = InetAddress.getByAddress(host.hostName(), host.address().getAddress());
            socket.connect(new InetSocketAddress(named, host.port()), (int) settings.connectionTimeout().toMillis());
            socket.setSoTimeout((int) settings.timeout().toMillis());
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(socket);
            trace.end(SmtpReply.none(describe(e, SmtpPhase.CONNECT, settings, socket)));
            MailLog.connectionError(dcid, domain, host.ip(), host.port(), trace.finalReply().text(), "-", reasonFor(trace), probe);
            return Optional.empty();
        }
        String local = socket.getLocalAddress().getHostAddress();
        MailLog.newConnection(dcid, local, host.ip(), host.port(), probe);

        SessionCache.Lease session = SessionCache.take(sessionProperties(route, settings));
        RouteAuth auth = route.auth().orElse(null);
        PhaseTrackingTransport transport = new PhaseTrackingTransport(session.session(),
            auth == null ? null : auth.user(), auth == null ? null : auth.password(),
            socket, settings.timeout(), settings.dataTimeout());
        transport.traceInto(trace);
        try {
            transport.connect(socket);
        } catch (RuntimeException e) {
            // Not an SMTP failure: release the socket (and its watch) and let the caller see the bug.
            closeQuietly(socket);
            session.giveBack();
            throw e;
        } catch (MessagingException e) {
            if (e instanceof AuthenticationFailedException) {
                trace.enter(SmtpPhase.AUTH);
            }
            trace.end(failureReply(e, transport, trace.phase(), settings, socket));
            closeQuietly(socket);
            session.giveBack();
            MailLog.connectionError(dcid, domain, host.ip(), host.port(), trace.finalReply().text(), local, reasonFor(trace), probe);
            return Optional.empty();
        }
        // Log the mode actually applied: AUTH without allowPlainAuth upgrades the route to required.
        TlsMode tls = TlsSettings.effectiveMode(route);
        if (tls != TlsMode.NONE) {
            MailLog.tls(dcid, tls.keyword(), transport.tlsActive());
        }
        return Optional.of(new SmtpConnection(host, dcid, socket, session, transport));
    }

    public HostAddress host() {
        return host;
    }

    public long dcid() {
        return dcid;
    }

    public boolean tlsActive() {
        return transport.tlsActive();
    }

    /** Mail transactions completed on this connection. */
    public int transactions() {
        return transactions;
    }

    /**
     * Whether the session may carry another transaction, as far as this side knows: the socket
     * is open. The server's view is checked by the RSET that starts every reused transaction.
     */
    public boolean isOpen() {
        return socket.isConnected() && !socket.isClosed();
    }

    /**
     * Runs one mail transaction (MAIL, RCPT..., DATA, body, dot) and records what happened. On a
     * reused session it starts with RSET, pipelined with MAIL FROM when the server allows it.
     * The whole transaction, and each write in it, is bounded (see {@link ClientSettings}).
     */
    public void send(OutboundMessage message, List<MailAddress> recipients, ClientSettings settings, SessionTrace trace) {
        transport.traceInto(trace);
        socket.transactionStarted();
        try {
            transact(message, recipients, settings, trace);
        } finally {
            socket.transactionEnded();
        }
    }

    private void transact(OutboundMessage message, List<MailAddress> recipients, ClientSettings settings, SessionTrace trace) {
        if (used) {
            transport.resetBeforeNextMail();
        }
        used = true;
        // The envelope sender is read from the session at MAIL time; each connection owns its
        // session, so setting it per transaction is safe.
        session.session().getProperties().put("mail.smtp.from", message.reversePath());
        Address[] addresses = toAddresses(recipients);
        transport.groupWithNextMail(addresses);
        try {
            transport.sendMessage(message.message(), addresses);
            trace.completed(SmtpReply.parse(transport.getLastServerResponse()));
            transactions++;
        } catch (MessagingException | RuntimeException e) {
            if (failedOnThisSide(e)) {
                // Not the host's doing, and the next host would meet the same failure: the
                // half-sent mail is abandoned (no final dot, so the host discards it).
                trace.failedLocally(describeLocalFailure(e));
                closeQuietly(socket);
                return;
            }
            recordRcptRefusals(e, trace);
            if (partiallyAccepted(e)) {
                // sendpartial: the dot got 250 for the recipients that RCPT accepted.
                trace.completed(SmtpReply.parse(((SMTPSendFailedException) e).getMessage()));
                transactions++;
            } else {
                trace.end(failureReply(e, transport, trace.phase(), settings, socket));
            }
        }
        keepInStep();
    }

    /**
     * Whether a failed transaction failed on this side rather than at the host. The host's
     * failures are known positively: the socket itself failed (an I/O error or end of stream on
     * it, a read timeout, a bound that cut it), TLS failed, the host refused a command
     * (javax.mail's SendFailedException family), or its replies broke the session. Anything else
     * came from this side: reading the message (its headers or its body) or a bug.
     */
    private boolean failedOnThisSide(Exception e) {
        boolean hostSide = socket.failed()
            || causeOf(e, javax.net.ssl.SSLException.class).isPresent()
            || causeOf(e, SendFailedException.class).isPresent()
            || causeOf(e, PipeliningTransport.BrokenSession.class).isPresent();
        return !hostSide;
    }

    private static String describeLocalFailure(Exception e) {
        Throwable root = e;
        for (Throwable cause = e; cause != null; cause = next(cause)) {
            root = cause;
        }
        String what = e instanceof RuntimeException ? "local error" : "local error reading the message";
        return what + ": " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /**
     * Asks the host whether it takes {@code recipient}, without sending a mail (SMTP call-ahead):
     * {@code MAIL FROM:<>}, {@code RCPT TO:<recipient>}, then {@code RSET}. The null sender is
     * what Postfix's verify and Exim's callout use: a host must accept it for bounces (RFC 5321
     * 4.5.5), and no real sender is exposed. RSET (RFC 5321 4.1.1.5) ends the transaction so the
     * session can ask again; DATA is never sent. The trace gets the phase reached and the reply
     * that ended it (the RCPT reply when RCPT was answered); {@link OutcomeClassifier} reads it.
     *
     * @param replyTimeout the longest wait for each reply of this exchange
     * @return whether the session is clean for another question (RSET answered 250)
     */
    public boolean verifyRecipient(MailAddress recipient, java.time.Duration replyTimeout, SessionTrace trace) {
        transport.traceInto(trace);
        try {
            socket.setSoTimeout((int) Math.max(1, replyTimeout.toMillis()));
            trace.enter(SmtpPhase.MAIL);
            int code = transport.simpleCommand("MAIL FROM:<>");
            if (code != 250) {
                trace.end(replyOf(code, transport.getLastServerResponse()));
                return code / 100 == 5 && reset();
            }
            trace.enter(SmtpPhase.RCPT);
            code = transport.simpleCommand("RCPT TO:<" + recipient.asString() + ">");
            trace.end(code / 100 == 2 ? SmtpReply.parse(transport.getLastServerResponse())
                : replyOf(code, transport.getLastServerResponse()));
            transactions++;
            return code != 421 && reset();
        } catch (MessagingException | IOException e) {
            trace.end(SmtpReply.none(causeOf(e, IOException.class).map(io -> describeTimeout(io, replyTimeout, trace.phase()))
                .orElse("connection dropped")));
            return false;
        }
    }

    private boolean reset() {
        try {
            return transport.simpleCommand("RSET") == 250;
        } catch (MessagingException e) {
            return false;
        }
    }

    private static String describeTimeout(IOException e, java.time.Duration timeout, SmtpPhase phase) {
        if (e instanceof SocketTimeoutException) {
            return "no reply within " + timeout.toMillis() + " ms (" + phase.name() + ")";
        }
        return "connection dropped (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
    }

    /**
     * After a transaction that ended early, reads the replies still owed for commands that were
     * pipelined ahead of it. The outcome is already decided; a session that cannot be brought
     * back in step is closed here, so it is never pooled.
     */
    private void keepInStep() {
        try {
            transport.readRepliesOwed();
        } catch (MessagingException e) {
            closeQuietly(socket);
        }
    }

    /** Ends the session politely (QUIT) if it is healthy, or just drops the socket. */
    @Override
    public void close() {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            // The session is over either way; nothing to tell the caller.
        } finally {
            closeQuietly(socket);
            session.giveBack();
        }
    }

    /** Drops the socket without QUIT: after a timeout or a broken reply, QUIT would only wait again. */
    public void abort() {
        closeQuietly(socket);
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            // already closed
        }
        session.giveBack();
    }

    private static Properties sessionProperties(Route route, ClientSettings settings) {
        Properties props = new Properties();
        props.put("mail.smtp.localhost", settings.heloName());
        props.put("mail.smtp.timeout", String.valueOf(settings.timeout().toMillis()));
        props.put("mail.smtp.connectiontimeout", String.valueOf(settings.connectionTimeout().toMillis()));
        // Deliver to the recipients a host accepts even when it refuses others: the refused ones
        // are bounced or failed over on their own (RFC 5321 3.3: RCPT replies are per recipient).
        props.put("mail.smtp.sendpartial", "true");
        // Like Postfix (smtp_skip_quit_response), do not wait for the reply to QUIT.
        props.put("mail.smtp.quitwait", "false");
        TlsSettings.apply(route, props);
        if (route.auth().isPresent()) {
            props.put("mail.smtp.auth", "true");
        }
        return props;
    }

    private static Address[] toAddresses(List<MailAddress> recipients) {
        return recipients.stream()
            .map(recipient -> {
                InternetAddress address = new InternetAddress();
                address.setAddress(recipient.asString());
                return address;
            })
            .toArray(Address[]::new);
    }

    private static void recordRcptRefusals(Exception e, SessionTrace trace) {
        for (Exception next = e; next != null; next = next instanceof MessagingException ? ((MessagingException) next).getNextException() : null) {
            if (next instanceof SMTPAddressFailedException) {
                SMTPAddressFailedException refusal = (SMTPAddressFailedException) next;
                recipientOf(refusal.getAddress(), trace)
                    .ifPresent(recipient -> trace.refusedAtRcpt(recipient, replyOf(refusal.getReturnCode(), refusal.getMessage())));
            }
        }
    }

    private static Optional<MailAddress> recipientOf(InternetAddress address, SessionTrace trace) {
        return trace.recipients().stream()
            .filter(recipient -> recipient.asString().equalsIgnoreCase(address.getAddress()))
            .findFirst();
    }

    private static boolean partiallyAccepted(Exception e) {
        return e instanceof SMTPSendFailedException
            && ".".equals(((SMTPSendFailedException) e).getCommand())
            && ((SMTPSendFailedException) e).getReturnCode() / 100 == 2
            && ((SendFailedException) e).getValidSentAddresses() != null
            && ((SendFailedException) e).getValidSentAddresses().length > 0;
    }

    /**
     * The reply that ended a failed session. An I/O cause wins over javax.mail's "last reply",
     * which after a timeout still holds the previous, successful reply.
     */
    private static SmtpReply failureReply(Exception e, PhaseTrackingTransport transport, SmtpPhase phase, ClientSettings settings,
                                          WatchedSocket socket) {
        Optional<String> expired = socket.expired();
        if (expired.isPresent()) {
            return SmtpReply.none(expired.get() + " (" + phase.name() + ")");
        }
        Optional<IOException> io = causeOf(e, IOException.class);
        if (io.isPresent()) {
            return SmtpReply.none(describe(io.get(), phase, settings, socket));
        }
        if (e instanceof SMTPSendFailedException) {
            SMTPSendFailedException failed = (SMTPSendFailedException) e;
            return replyOf(failed.getReturnCode(), failed.getMessage());
        }
        if (e instanceof SendFailedException) {
            // Every recipient was refused at RCPT; the last refusal speaks for the session.
            return replyOf(transport.getLastReturnCode(), transport.getLastServerResponse());
        }
        int code = transport.getLastReturnCode();
        if (code >= 400 && code < 600) {
            return SmtpReply.parse(transport.getLastServerResponse());
        }
        if (code == SmtpReply.NO_CODE && phase != SmtpPhase.STARTTLS) {
            return SmtpReply.none("connection dropped");
        }
        return SmtpReply.none(String.valueOf(e.getMessage()));
    }

    private static SmtpReply replyOf(int code, String text) {
        if (code >= 400 && code < 600) {
            return SmtpReply.parse(text);
        }
        return SmtpReply.none("connection dropped");
    }

    private static <T extends Throwable> Optional<T> causeOf(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = next(cause)) {
            if (type.isInstance(cause)) {
                return Optional.of(type.cast(cause));
            }
        }
        return Optional.empty();
    }

    private static Throwable next(Throwable e) {
        if (e instanceof MessagingException && ((MessagingException) e).getNextException() != null) {
            return ((MessagingException) e).getNextException();
        }
        return e.getCause() == e ? null : e.getCause();
    }

    private static String describe(IOException e, SmtpPhase phase, ClientSettings settings, WatchedSocket socket) {
        if (socket.expired().isPresent()) {
            return socket.expired().get() + " (" + phase.name() + ")";
        }
        if (e instanceof SocketTimeoutException) {
            if (phase == SmtpPhase.CONNECT) {
                return "connect timeout after " + settings.connectionTimeout().toMillis() + " ms";
            }
            long waited = (phase == SmtpPhase.DOT ? settings.dataTimeout() : settings.timeout()).toMillis();
            return "no reply within " + waited + " ms (" + phase.name() + ")";
        }
        if (e instanceof java.net.ConnectException) {
            return "Connection refused";
        }
        if (e instanceof javax.net.ssl.SSLException || phase == SmtpPhase.STARTTLS) {
            // A failed handshake, an untrusted chain, or (reported by javax.mail as a plain
            // IOException) a certificate that does not name the host: all are TLS failures.
            return "TLS failure: " + e.getMessage();
        }
        return "connection dropped (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
    }

    private static String reasonFor(SessionTrace trace) {
        SmtpReply reply = trace.finalReply();
        if (reply.hasCode()) {
            return "unexpected SMTP response";
        }
        return reply.text();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
