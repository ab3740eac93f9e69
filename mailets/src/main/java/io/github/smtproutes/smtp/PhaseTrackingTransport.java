package io.github.smtproutes.smtp;

import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;

import com.sun.mail.smtp.SMTPTransport;

/**
 * javax.mail's {@link SMTPTransport}, unchanged on the wire, that tells a {@link SessionTrace}
 * which SMTP step it is in. javax.mail reports failures as exceptions whose class rarely says
 * where the session broke; knowing the phase is what lets the classifier tell a dropped
 * connection before the final dot (not delivered) from one after it (possibly delivered).
 * It also hands the route's credentials to AUTH, so that they never sit in session properties,
 * and it puts the RSET of a reused session in front of the next MAIL FROM.
 */
final class PhaseTrackingTransport extends SMTPTransport {
    private volatile SessionTrace trace;
    private final String user;
    private final String password;
    private volatile boolean tlsActive;
    private boolean resetBeforeMail;
    private boolean resetRidesWithMail;

    PhaseTrackingTransport(Session session, String user, String password) {
        super(session, new URLName("smtp", null, -1, null, null, null));
        this.user = user;
        this.password = password;
    }

    void traceInto(SessionTrace trace) {
        this.trace = trace;
    }

    boolean tlsActive() {
        return tlsActive;
    }

    /**
     * The next transaction starts with RSET (RFC 5321 4.1.1.5): it clears whatever the last one
     * left and proves the reused session alive. A session whose RSET is not answered 250 fails
     * the transaction as a dropped connection, so the caller retries on a fresh one.
     */
    void resetBeforeNextMail() {
        resetBeforeMail = true;
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
        if (resetBeforeMail) {
            resetBeforeMail = false;
            if (supportsExtension("PIPELINING")) {
                // RFC 2920 3.1: RSET may stand anywhere in a command group. It goes out in the
                // same packet as MAIL FROM (see sendCommand), which saves a round trip per mail.
                resetRidesWithMail = true;
            } else {
                // No PIPELINING: the server may read one command at a time, so wait for each reply.
                super.sendCommand("RSET");
                requireResetAccepted(super.readServerResponse());
            }
        }
        super.mailFrom();
    }

    @Override
    protected void sendCommand(String cmd) throws MessagingException {
        if (resetRidesWithMail) {
            resetRidesWithMail = false;
            super.sendCommand("RSET\r\n" + cmd);
            // Replies come in command order: RSET's first; MAIL's is read by javax.mail as usual.
            requireResetAccepted(super.readServerResponse());
            return;
        }
        super.sendCommand(cmd);
    }

    private void requireResetAccepted(int code) throws MessagingException {
        if (code != 250) {
            // Whatever the reply, the session is not in a state to trust: report it like a broken
            // connection (javax.mail closes the socket on an I/O cause), never as a refused mail.
            throw new MessagingException("reused session unusable",
                new IOException("RSET answered " + (code < 0 ? "with end of stream" : getLastServerResponse().trim())));
        }
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
        super.finishData();
    }
}
