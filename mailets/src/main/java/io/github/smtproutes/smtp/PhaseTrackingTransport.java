package io.github.smtproutes.smtp;

import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;

/**
 * The SMTP client transport ({@link PipeliningTransport} over javax.mail's SMTPTransport) that
 * tells a {@link SessionTrace} which SMTP step it is in. javax.mail reports failures as
 * exceptions whose class rarely says where the session broke; knowing the phase is what lets the
 * classifier tell a dropped connection before the final dot (not delivered) from one after it
 * (possibly delivered).
 * It also hands the route's credentials to AUTH, so that they never sit in session properties.
 */
final class PhaseTrackingTransport extends PipeliningTransport {
    private volatile SessionTrace trace;
    private final String user;
    private final String password;
    private volatile boolean tlsActive;

    PhaseTrackingTransport(Session session, String user, String password) {
        super(session);
        this.user = user;
        this.password = password;
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
        super.finishData();
    }
}
