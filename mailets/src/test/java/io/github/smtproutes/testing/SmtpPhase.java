package io.github.smtproutes.testing;

/**
 * The points in an SMTP conversation at which a {@link ScriptedSmtpServer} can be scripted to answer
 * differently, stay silent, drop the connection or slow down. A phase is "reached" when the server is
 * about to answer it: on accepting the connection for {@link #CONNECT}, on receiving the command
 * otherwise, and on receiving the terminating "." line for {@link #DOT}.
 */
public enum SmtpPhase {
    /** The greeting sent when a connection is accepted. */
    CONNECT,
    /** The EHLO and HELO commands. */
    EHLO,
    /** The STARTTLS command. */
    STARTTLS,
    /** The AUTH command (scripting applies before any credential exchange). */
    AUTH,
    /** The MAIL FROM command. */
    MAIL,
    /** Every RCPT TO command. */
    RCPT,
    /** The DATA command itself. */
    DATA,
    /** The end-of-data "." line, whose reply accepts or refuses the message. */
    DOT,
    /** The RSET command. */
    RSET,
    /** The QUIT command. */
    QUIT
}
