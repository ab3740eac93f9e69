package io.github.smtproutes.testing;

import static io.github.smtproutes.testing.SmtpPhase.AUTH;
import static io.github.smtproutes.testing.SmtpPhase.CONNECT;
import static io.github.smtproutes.testing.SmtpPhase.DATA;
import static io.github.smtproutes.testing.SmtpPhase.DOT;
import static io.github.smtproutes.testing.SmtpPhase.EHLO;
import static io.github.smtproutes.testing.SmtpPhase.MAIL;
import static io.github.smtproutes.testing.SmtpPhase.QUIT;
import static io.github.smtproutes.testing.SmtpPhase.RCPT;
import static io.github.smtproutes.testing.SmtpPhase.RSET;
import static io.github.smtproutes.testing.SmtpPhase.STARTTLS;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLContext;

/**
 * One client connection of a {@link ScriptedSmtpServer}: reads commands, asks the server's script what
 * to do at each {@link SmtpPhase}, and keeps the per-connection state (greeted, TLS, authentication,
 * the open mail transaction). Runs on its own thread and ends by closing its socket.
 */
final class SmtpSession implements Runnable {
    /** Advertised with SIZE (RFC 1870) and enforced against a MAIL FROM SIZE= declaration. */
    static final long MAX_MESSAGE_SIZE = 50L * 1024 * 1024;

    private static final int HANG_POLL_MILLIS = 50;
    private static final String BAD_SEQUENCE = "503 5.5.1 Bad sequence of commands";

    private final ScriptedSmtpServer server;
    private final int connectionNumber;
    private final Socket socket;
    private SmtpWire wire;

    private boolean greeted;
    private boolean authenticated;
    private boolean nextCommandWaiting;
    private String authenticatedUser;
    private String sender; // null while no mail transaction is open
    private final List<String> recipients = new ArrayList<>();

    SmtpSession(ScriptedSmtpServer server, int connectionNumber, Socket socket) {
        this.server = server;
        this.connectionNumber = connectionNumber;
        this.socket = socket;
    }

    @Override
    public void run() {
        try {
            wire = new SmtpWire(socket);
            if (greet()) {
                serveCommands();
            } else {
                serveRefusedConnection();
            }
        } catch (Disconnect | IOException e) {
            // The script dropped the connection, the client went away, or the server is closing.
        } finally {
            server.forget(socket);
        }
    }

    // ---------------------------------------------------------------- conversation

    private boolean greet() throws IOException, Disconnect {
        String reply = scripted(CONNECT, "220 " + server.name() + " ESMTP");
        send(reply);
        return Replies.isPositive(reply);
    }

    private void serveCommands() throws IOException, Disconnect {
        String line;
        while ((line = readCommand()) != null) {
            dispatch(new Command(line));
        }
    }

    /**
     * After a refusing (non-421) greeting the client may only leave: RFC 5321 3.1 says the server then
     * waits for QUIT and answers every other command with 503.
     */
    private void serveRefusedConnection() throws IOException, Disconnect {
        String line;
        while ((line = readCommand()) != null) {
            if ("QUIT".equals(new Command(line).verb)) {
                quit();
            }
            send(BAD_SEQUENCE);
        }
    }

    private void dispatch(Command command) throws IOException, Disconnect {
        switch (command.verb) {
            case "EHLO": ehlo(command); break;
            case "HELO": helo(command); break;
            case "STARTTLS": startTls(command); break;
            case "AUTH": auth(command); break;
            case "MAIL": mail(command); break;
            case "RCPT": rcpt(command); break;
            case "DATA": data(command); break;
            case "RSET": rset(); break;
            case "NOOP": send("250 2.0.0 Ok"); break;
            case "QUIT": quit(); break;
            default: send("502 5.5.2 Command not recognized"); break;
        }
    }

    // ---------------------------------------------------------------- commands

    private void ehlo(Command command) throws IOException, Disconnect {
        if (command.argument.isEmpty()) {
            send("501 5.5.4 Syntax: EHLO domain");
            return;
        }
        String reply = scripted(EHLO, ehloReply(command.argument));
        if (Replies.isPositive(reply)) {
            startAfresh();
        }
        send(reply);
    }

    private String ehloReply(String clientName) {
        List<String> lines = new ArrayList<>();
        lines.add(server.name() + " Hello " + clientName);
        // PIPELINING only on request: by default clients must wait for each reply, and relays
        // under test must cope with servers that do not pipeline. Replies go out one by one anyway.
        if (server.pipelining()) {
            lines.add("PIPELINING");
        }
        lines.add("8BITMIME");
        lines.add("SIZE " + MAX_MESSAGE_SIZE);
        lines.add("ENHANCEDSTATUSCODES");
        // RFC 3207 4.2: STARTTLS is not offered again once TLS is active.
        if (server.startTlsContext() != null && !wire.isTls()) {
            lines.add("STARTTLS");
        }
        if (server.credentials() != null) {
            lines.add("AUTH PLAIN LOGIN");
        }
        return Replies.multiline(250, lines);
    }

    private void helo(Command command) throws IOException, Disconnect {
        if (command.argument.isEmpty()) {
            send("501 5.5.4 Syntax: HELO domain");
            return;
        }
        // HELO shares the EHLO phase: both open the session, HELO just advertises no extensions.
        String reply = scripted(EHLO, "250 " + server.name());
        if (Replies.isPositive(reply)) {
            startAfresh();
        }
        send(reply);
    }

    private void startTls(Command command) throws IOException, Disconnect {
        SSLContext context = server.startTlsContext();
        if (context == null) {
            send("502 5.5.1 STARTTLS not offered");
            return;
        }
        if (wire.isTls()) {
            send("503 5.5.1 TLS already active");
            return;
        }
        if (!command.argument.isEmpty()) {
            send("501 5.5.4 Syntax: STARTTLS"); // RFC 3207 4: STARTTLS takes no parameters
            return;
        }
        String reply = scripted(STARTTLS, "220 2.0.0 Ready to start TLS");
        send(reply);
        // Only a 220 tells the client to begin the handshake (RFC 3207 4).
        if (Replies.code(reply) == 220) {
            wire.upgradeToTls(context);
            // RFC 3207 4.2: forget everything learned before TLS; the client must EHLO again.
            greeted = false;
            authenticated = false;
            authenticatedUser = null;
            resetTransaction();
        }
    }

    private void auth(Command command) throws IOException, Disconnect {
        ScriptedSmtpServer.Credentials expected = server.credentials();
        if (expected == null) {
            send("502 5.5.1 AUTH not offered");
            return;
        }
        // RFC 4954 4: AUTH is refused once authenticated and during a mail transaction.
        if (authenticated) {
            send("503 5.5.1 Already authenticated");
            return;
        }
        if (sender != null) {
            send("503 5.5.1 AUTH not permitted during a mail transaction");
            return;
        }
        String scriptedReply = scripted(AUTH, null);
        if (scriptedReply != null) {
            // A scripted AUTH reply stands in for the whole exchange; a 2xx counts as authenticated.
            authenticated = Replies.isPositive(scriptedReply);
            send(scriptedReply);
            return;
        }
        exchangeCredentials(command, expected);
    }

    private void exchangeCredentials(Command command, ScriptedSmtpServer.Credentials expected)
            throws IOException, Disconnect {
        String[] words = command.argument.split(" ", 2);
        String mechanism = words[0].toUpperCase(Locale.ROOT);
        String initialResponse = words.length > 1 ? words[1].trim() : null;
        try {
            String[] userAndPassword;
            if ("PLAIN".equals(mechanism)) {
                userAndPassword = plainCredentials(initialResponse);
            } else if ("LOGIN".equals(mechanism)) {
                userAndPassword = loginCredentials(initialResponse);
            } else {
                send("504 5.5.4 Unrecognized authentication type");
                return;
            }
            verify(userAndPassword[0], userAndPassword[1], expected);
        } catch (AuthAborted aborted) {
            send(aborted.reply);
        }
    }

    /** RFC 4616: base64("authzid NUL authcid NUL password"), possibly sent with the command. */
    private String[] plainCredentials(String initialResponse) throws IOException, Disconnect, AuthAborted {
        String response = initialResponse != null ? initialResponse : challenge("");
        String[] fields = decode(response).split("\0", -1);
        if (fields.length != 3) {
            throw new AuthAborted("501 5.5.2 Malformed PLAIN response");
        }
        return new String[] {fields[1], fields[2]};
    }

    /** The de-facto LOGIN mechanism: base64 user name, then base64 password, each prompted by 334. */
    private String[] loginCredentials(String initialResponse) throws IOException, Disconnect, AuthAborted {
        String user = decode(initialResponse != null ? initialResponse : challenge("VXNlcm5hbWU6")); // "Username:"
        String password = decode(challenge("UGFzc3dvcmQ6")); // "Password:"
        return new String[] {user, password};
    }

    private void verify(String user, String password, ScriptedSmtpServer.Credentials expected)
            throws IOException, Disconnect {
        if (expected.matches(user, password)) {
            authenticated = true;
            authenticatedUser = user;
            server.recordAuthentication(user);
            send("235 2.7.0 Authentication successful");
        } else {
            send("535 5.7.8 Authentication credentials invalid"); // RFC 4954 6
        }
    }

    private void mail(Command command) throws IOException, Disconnect {
        if (!greeted) {
            send("503 5.5.1 Send EHLO or HELO first"); // RFC 5321 4.1.4
            return;
        }
        if (sender != null) {
            send("503 5.5.1 Nested MAIL command"); // one transaction at a time (RFC 5321 4.1.4)
            return;
        }
        if (server.credentials() != null && !authenticated) {
            send("530 5.7.0 Authentication required"); // RFC 4954 6
            return;
        }
        String path = address("FROM:", command.argument);
        if (path == null) {
            send("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        if (declaredSize(command.argument) > MAX_MESSAGE_SIZE) {
            send("552 5.3.4 Message size exceeds fixed maximum message size"); // RFC 1870 6.1
            return;
        }
        String reply = scripted(MAIL, "250 2.1.0 Ok");
        if (Replies.isPositive(reply)) {
            sender = path;
        }
        send(reply);
    }

    private void rcpt(Command command) throws IOException, Disconnect {
        if (sender == null) {
            send("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        String recipient = address("TO:", command.argument);
        if (recipient == null || recipient.isEmpty()) {
            send("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        String reply = scripted(RCPT, "250 2.1.5 Ok");
        // A per-recipient reply is more specific than the phase's reply, so it wins
        // (a drop, hang or delay at RCPT has already happened above).
        String perRecipient = server.recipientReply(recipient);
        if (perRecipient != null) {
            reply = perRecipient;
        }
        if (Replies.isPositive(reply)) {
            recipients.add(recipient);
        }
        send(reply);
    }

    private void data(Command command) throws IOException, Disconnect {
        if (sender == null) {
            send("503 5.5.1 Need MAIL before DATA");
            return;
        }
        if (recipients.isEmpty()) {
            send("554 5.5.1 No valid recipients"); // RFC 5321 3.3
            return;
        }
        if (!command.argument.isEmpty()) {
            send("501 5.5.4 Syntax: DATA");
            return;
        }
        String reply = scripted(DATA, "354 End data with <CR><LF>.<CR><LF>");
        send(reply);
        // Only 354 invites the content (RFC 5321 4.1.1.4); otherwise the client does not send it.
        if (Replies.code(reply) != 354) {
            return;
        }
        if (server.stallContent()) {
            // A receiver that stops reading: the client's writes fill the TCP window and block.
            while (server.stillStallingContent()) {
                server.sleepUnlessClosed(Duration.ofMillis(HANG_POLL_MILLIS));
            }
            throw new Disconnect();
        }
        byte[] content = wire.readData();
        if (content == null) {
            throw new Disconnect(); // the client vanished mid-message: nothing is delivered
        }
        endOfData(content);
    }

    private void endOfData(byte[] content) throws IOException, Disconnect {
        String reply = scripted(DOT, "250 2.0.0 Ok: queued as " + server.nextQueueId());
        if (Replies.code(reply) / 100 == 2) {
            // Recorded before replying, so whoever has seen the 250 also sees the mail.
            server.recordMail(new ReceivedMail(sender, recipients, content, connectionNumber,
                    wire.isTls(), authenticatedUser));
        }
        // RFC 5321 4.1.1.4: the reply to the final dot ends the transaction, whatever it says.
        resetTransaction();
        send(reply);
    }

    private void rset() throws IOException, Disconnect {
        String reply = scripted(RSET, "250 2.0.0 Ok");
        if (Replies.isPositive(reply)) {
            resetTransaction();
        }
        send(reply);
    }

    private void quit() throws IOException, Disconnect {
        send(scripted(QUIT, "221 2.0.0 Bye"));
        // RFC 5321 4.1.1.10: the server closes the channel after answering QUIT, whatever the reply.
        throw new Disconnect();
    }

    // ---------------------------------------------------------------- scripting

    /**
     * What to answer at a phase: waits out a scripted delay or hang, throws {@link Disconnect} for a
     * scripted drop, and returns the scripted reply or else {@code normalReply}.
     */
    private String scripted(SmtpPhase phase, String normalReply) throws IOException, Disconnect {
        Duration delay = server.delayFor(phase);
        if (delay != null && !server.sleepUnlessClosed(delay)) {
            throw new Disconnect();
        }
        PhaseScript script;
        while ((script = server.scriptFor(phase)).hangs()) {
            // Hanging keeps the socket open and answers nothing. Reading (and discarding) input lets
            // us notice a client that gave up; heal() or a new script for the phase ends the hang.
            if (server.isClosed() || !wire.discardInputFor(HANG_POLL_MILLIS)) {
                throw new Disconnect();
            }
        }
        if (script.drops()) {
            throw new Disconnect();
        }
        return script.replyOr(normalReply);
    }

    private void send(String reply) throws IOException, Disconnect {
        wire.send(reply);
        // RFC 5321 3.8: 421 means the server is closing the transmission channel, so it does.
        if (Replies.code(reply) == 421) {
            throw new Disconnect();
        }
    }

    // ---------------------------------------------------------------- helpers

    private String readCommand() throws IOException {
        String line = wire.readLine();
        if (line != null) {
            server.recordCommand(connectionNumber, redacted(line));
            if (nextCommandWaiting) {
                server.recordPipelined(connectionNumber, redacted(line));
            }
            // Checked before this command is answered: anything already here was sent without waiting.
            nextCommandWaiting = wire.hasWaitingInput();
        }
        return line;
    }

    /** AUTH may carry credentials inline ("AUTH PLAIN <base64>"); only the mechanism is recorded. */
    private static String redacted(String line) {
        Command command = new Command(line);
        if (!"AUTH".equals(command.verb) || !command.argument.contains(" ")) {
            return line;
        }
        return "AUTH " + command.argument.split(" ", 2)[0] + " <redacted>";
    }

    /** Sends a 334 challenge and reads the client's response, recording it without its content. */
    private String challenge(String text) throws IOException, Disconnect, AuthAborted {
        wire.send("334 " + text);
        String response = wire.readLine();
        if (response == null) {
            throw new Disconnect();
        }
        server.recordCommand(connectionNumber, "AUTH <redacted>");
        if ("*".equals(response.trim())) {
            throw new AuthAborted("501 5.7.0 Authentication cancelled"); // RFC 4954 4
        }
        return response;
    }

    private static String decode(String base64) throws AuthAborted {
        // RFC 4954 4: a lone "=" is an empty initial response.
        if ("=".equals(base64.trim())) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthAborted("501 5.5.2 Cannot decode response");
        }
    }

    /** The address inside {@code <...>} after "FROM:" or "TO:", or null when malformed. */
    private static String address(String keyword, String argument) {
        if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return null;
        }
        String rest = argument.substring(keyword.length()).trim();
        int close = rest.indexOf('>');
        if (!rest.startsWith("<") || close < 0) {
            return null;
        }
        return rest.substring(1, close);
    }

    /** The SIZE= value declared on MAIL FROM (RFC 1870), or 0 when absent or unreadable. */
    private static long declaredSize(String argument) {
        int close = argument.indexOf('>');
        for (String parameter : argument.substring(close + 1).trim().split(" +")) {
            if (parameter.regionMatches(true, 0, "SIZE=", 0, 5)) {
                try {
                    return Long.parseLong(parameter.substring(5));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** EHLO/HELO (and RSET, implicitly) start with an empty transaction (RFC 5321 4.1.4). */
    private void startAfresh() {
        greeted = true;
        resetTransaction();
    }

    private void resetTransaction() {
        sender = null;
        recipients.clear();
    }

    /** A command line split into its upper-cased verb and the rest. */
    private static final class Command {
        final String verb;
        final String argument;

        Command(String line) {
            String trimmed = line.trim();
            int space = trimmed.indexOf(' ');
            this.verb = (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
            this.argument = space < 0 ? "" : trimmed.substring(space + 1).trim();
        }
    }

    /** Unwinds the session to close the connection (scripted drop, 421, QUIT, end of stream). */
    private static final class Disconnect extends Exception {
        private static final long serialVersionUID = 1L;

        Disconnect() {
            super(null, null, false, false);
        }
    }

    /** Ends an AUTH exchange early with the given reply; the session stays unauthenticated. */
    private static final class AuthAborted extends Exception {
        private static final long serialVersionUID = 1L;
        final String reply;

        AuthAborted(String reply) {
            super(reply, null, false, false);
            this.reply = reply;
        }
    }
}
