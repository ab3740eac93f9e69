package io.github.smtproutes.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

import javax.mail.MessagingException;
import javax.mail.Session;

/**
 * The SMTP client transport ({@link PipeliningTransport} over javax.mail's SMTPTransport) that
 * tells a {@link SessionTrace} which SMTP step it is in. javax.mail reports failures as
 * exceptions whose class rarely says where the session broke; knowing the phase is what lets the
 * classifier tell a dropped connection before the final dot (not delivered) from one after it
 * (possibly delivered).
 * It also hands the route's credentials to AUTH, so that they never sit in session properties,
 * and waits longer for the reply to the final dot than for any other (RFC 5321 4.5.3.2.6).
 */
final class PhaseTrackingTransport extends PipeliningTransport {
    private volatile SessionTrace trace;
    private final String user;
    private final String password;
    private volatile boolean tlsActive;
    private final Socket socket;
    private final Duration replyTimeout;
    private final Duration dataTimeout;

    /**
     * @param socket the session's own (plain) socket, whose read timeout also bounds reads
     *     through a TLS socket layered over it
     */
    PhaseTrackingTransport(Session session, String user, String password, Socket socket, Duration replyTimeout, Duration dataTimeout) {
        super(session);
        this.user = user;
        this.password = password;
        this.socket = socket;
        this.replyTimeout = replyTimeout;
        this.dataTimeout = dataTimeout;
    }

    void traceInto(SessionTrace trace) {
        this.trace = trace;
    }

    boolean tlsActive() {
        return tlsActive;
    }

    private void enter(SmtpPhase phase) {
        SessionTrace current = trace;
        if (current != null) {
            current.enter(phase);
        }
    }

    @Override
    protected boolean protocolConnect(String host, int port, String ignoredUser, String ignoredPassword) throws MessagingException {
        enter(SmtpPhase.GREETING);
        return super.protocolConnect(host, port, user, password);
    }

    @Override
    protected boolean ehlo(String domain) throws MessagingException {
        enter(SmtpPhase.EHLO);
        return super.ehlo(domain);
    }

    @Override
    protected void helo(String domain) throws MessagingException {
        enter(SmtpPhase.EHLO);
        super.helo(domain);
    }

    @Override
    protected void startTLS() throws MessagingException {
        enter(SmtpPhase.STARTTLS);
        super.startTLS();
        tlsActive = true;
    }

    @Override
    protected void mailFrom() throws MessagingException {
        enter(SmtpPhase.MAIL);
        super.mailFrom();
    }

    @Override
    protected void rcptTo() throws MessagingException {
        enter(SmtpPhase.RCPT);
        super.rcptTo();
    }

    @Override
    protected OutputStream data() throws MessagingException {
        enter(SmtpPhase.DATA);
        OutputStream body = super.data();
        enter(SmtpPhase.BODY);
        return body;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        enter(SmtpPhase.DOT);
        // RFC 5321 4.5.3.2.6: the receiver may process the whole mail before it answers the dot,
        // so wait dataTimeout (10 minutes by default, Postfix smtp_data_done_timeout 600 s).
        // Giving up sooner only makes the next host receive a second copy.
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, dataTimeout.toMillis()));
        try {
            super.finishData();
        } finally {
            restoreReplyTimeout();
        }
    }

    private void restoreReplyTimeout() {
        try {
            socket.setSoTimeout((int) replyTimeout.toMillis());
        } catch (IOException e) {
            // The socket is closed: there is no next reply to wait for.
        }
    }
}
