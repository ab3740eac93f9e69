package io.github.smtproutes.smtp;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;
import javax.mail.internet.InternetAddress;

import com.sun.mail.smtp.SMTPTransport;

/**
 * javax.mail's {@link SMTPTransport}, writing a mail transaction's commands as one RFC 2920
 * command group when the server offers PIPELINING: RSET (on a reused session), MAIL FROM, every
 * RCPT TO and DATA leave in one packet, and their replies are then read in order. javax.mail
 * still runs the transaction and judges every reply; when it comes to send a command that is
 * already on the wire, it only reads that command's reply. A server without PIPELINING gets one
 * command at a time, each after the reply to the one before (RFC 5321).
 *
 * <p>Postfix and Exim pipeline the same way. Each command waited for costs a round trip and a
 * thread wake-up on both sides; with the group, a mail on a pooled session waits twice (for the
 * group's replies, then for the reply to its content) instead of five times.
 */
abstract class PipeliningTransport extends SMTPTransport {
    // RFC 2920 3.1: a client that writes a large group while not reading can deadlock with a
    // server that blocks writing replies. Fifty recipients stay far below any socket buffer;
    // a mail with more sends its RCPTs one by one.
    private static final int MAX_RECIPIENTS_IN_GROUP = 50;

    private boolean resetBeforeMail;
    private List<String> groupAfterMail = List.of();
    // Commands already written whose turn in javax.mail's transaction has not come yet.
    private final Deque<String> sentAhead = new ArrayDeque<>();

    PipeliningTransport(Session session) {
        super(session, new URLName("smtp", null, -1, null, null, null));
    }

    /**
     * The next transaction starts with RSET (RFC 5321 4.1.1.5): it clears whatever the last one
     * left and proves the reused session alive. A session whose RSET is not answered 250 fails
     * the transaction as a dropped connection, so the caller retries on a fresh one.
     */
    void resetBeforeNextMail() {
        resetBeforeMail = true;
    }

    /**
     * Sends these RCPT commands and DATA in the group of the next MAIL FROM. They are the very
     * commands javax.mail's rcptTo() and data() build for these addresses, in the same order.
     */
    void groupWithNextMail(Address[] recipients) {
        if (recipients.length > MAX_RECIPIENTS_IN_GROUP) {
            groupAfterMail = List.of();
            return;
        }
        List<String> commands = new ArrayList<>(recipients.length + 1);
        for (Address recipient : recipients) {
            commands.add("RCPT TO:" + angleBracketed(((InternetAddress) recipient).getAddress()));
        }
        commands.add("DATA");
        groupAfterMail = commands;
    }

    /**
     * Reads and drops the replies still owed for commands sent ahead that the transaction never
     * came to, as after a refused MAIL FROM or when every RCPT was refused. Their replies (503,
     * 554) only confirm that; reading them keeps the session in step for the next transaction.
     * A session that cannot be brought in step is reported as broken: the caller must drop it.
     */
    synchronized void readRepliesOwed() throws MessagingException {
        while (!sentAhead.isEmpty()) {
            String command = sentAhead.removeFirst();
            int code;
            try {
                code = super.readServerResponse();
            } catch (RuntimeException closed) {
                // javax.mail already closed the connection (it drops its streams on an I/O error).
                sentAhead.clear();
                throw new BrokenSession("session closed", new IOException("connection already closed"));
            }
            if (code < 0 || code == 354) {
                // No reply, or a server that now waits for the content of a failed transaction:
                // there is no clean way on from here.
                sentAhead.clear();
                throw new BrokenSession("session out of step",
                    new IOException("no usable reply to pipelined " + verbOf(command) + ": " + getLastServerResponse().trim()));
            }
        }
    }

    @Override
    protected void mailFrom() throws MessagingException {
        if (resetBeforeMail && !supportsExtension("PIPELINING")) {
            resetBeforeMail = false;
            // No PIPELINING: the server may read one command at a time, so wait for each reply.
            super.sendCommand("RSET");
            requireResetAccepted(super.readServerResponse());
        }
        super.mailFrom();
    }

    @Override
    protected void sendCommand(String cmd) throws MessagingException {
        if (!sentAhead.isEmpty()) {
            if (sentAhead.peekFirst().equals(cmd)) {
                // Already on the wire: javax.mail reads its reply next, in order.
                sentAhead.removeFirst();
                return;
            }
            // javax.mail left the expected order (an RSET after an unexpected RCPT reply):
            // read what the server still owes first, so that its next reply answers this command.
            readRepliesOwed();
        }
        if (cmd.startsWith("MAIL FROM:") && supportsExtension("PIPELINING")) {
            sendGroup(cmd);
            return;
        }
        super.sendCommand(cmd);
    }

    private void sendGroup(String mailFrom) throws MessagingException {
        boolean reset = resetBeforeMail;
        List<String> after = groupAfterMail;
        resetBeforeMail = false;
        groupAfterMail = List.of();
        // RFC 2920 3.1: RSET, MAIL and RCPT may stand anywhere in a group, DATA only last.
        StringBuilder group = new StringBuilder(64 * (after.size() + 2));
        if (reset) {
            group.append("RSET\r\n");
        }
        group.append(mailFrom);
        after.forEach(command -> group.append("\r\n").append(command));
        super.sendCommand(group.toString());
        sentAhead.addAll(after);
        if (reset) {
            // Replies come in command order: RSET's first; MAIL's is read by javax.mail as usual.
            int code = super.readServerResponse();
            if (code != 250) {
                sentAhead.clear();
            }
            requireResetAccepted(code);
        }
    }

    private void requireResetAccepted(int code) throws MessagingException {
        if (code != 250) {
            // Whatever the reply, the session is not in a state to trust: report it like a broken
            // connection (javax.mail closes the socket on an I/O cause), never as a refused mail.
            throw new BrokenSession("reused session unusable",
                new IOException("RSET answered " + (code < 0 ? "with end of stream" : getLastServerResponse().trim())));
        }
    }

    /** As javax.mail writes a path: in angle brackets unless it already has them. */
    private static String angleBracketed(String address) {
        return address.startsWith("<") || address.endsWith(">") ? address : "<" + address + ">";
    }

    private static String verbOf(String command) {
        int space = command.indexOf(' ');
        return space < 0 ? command : command.substring(0, space);
    }

    /**
     * The session with the host is unusable: a reply was missing, out of order, or refused a
     * RSET. It is the host's connection that failed, never this side.
     */
    static final class BrokenSession extends MessagingException {
        private static final long serialVersionUID = 1L;

        BrokenSession(String message, IOException cause) {
            super(message, cause);
        }
    }
}
