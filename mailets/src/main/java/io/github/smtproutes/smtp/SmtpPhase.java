package io.github.smtproutes.smtp;

/**
 * The step of an SMTP client session that was reached when the session ended. The classifier
 * needs it because the same reply code means different things at different steps: a 421 to the
 * greeting says nothing about the mail, while a lost connection after the final dot may mean
 * the mail was delivered.
 */
public enum SmtpPhase {
    /** Opening the TCP connection. */
    CONNECT,
    /** Waiting for the server's 220 banner. */
    GREETING,
    /** EHLO, or the HELO fallback. */
    EHLO,
    STARTTLS,
    AUTH,
    MAIL,
    RCPT,
    /** The DATA command, waiting for 354. */
    DATA,
    /** Streaming the message content. */
    BODY,
    /** The final "." was (being) sent; waiting for the reply that decides delivery. */
    DOT,
    /** The transaction completed with a reply to the final dot. */
    DONE;

    /** Whether the server may already hold the whole message when the session broke here. */
    public boolean afterFinalDot() {
        return this == DOT;
    }
}
