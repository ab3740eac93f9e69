package io.github.smtproutes.log;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery mail log: one line per event, worded like the Cisco ESA mail log so that an ESA
 * admin reads it without a guide ("New SMTP DCID ...", "Connection Error: ...", "Message done
 * ..."). It writes to the logger {@code io.github.smtproutes.maillog}, which James's logback
 * configuration can send to its own file. It also hands out DCIDs, the delivery connection ids.
 * Nothing secret is ever passed to it. It takes plain values (a reply is its code, enhanced code
 * and text), so that it depends on no other part of the extension. Every value is written with
 * its control characters escaped ({@code \x0D}), so one event is always one line.
 */
public final class MailLog {
    public static final String LOGGER_NAME = "io.github.smtproutes.maillog";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);
    private static final AtomicLong DCIDS = new AtomicLong();
    /** The reply code of a session that ended without a reply. */
    public static final int NO_REPLY = -1;

    private MailLog() {
    }

    /** A new delivery connection id, unique in this James process. */
    public static long nextDcid() {
        return DCIDS.incrementAndGet();
    }

    /** What ends the connection lines of a side probe, a session opened without a message to learn whether a host is back. */
    public static final String PROBE_MARK = " (host probe, no message)";

    public static void newConnection(long dcid, String localAddress, String ip, int port) {
        newConnection(dcid, localAddress, ip, port, false);
    }

    /** {@code probe}: the session is a side probe, so the line ends with {@link #PROBE_MARK}. */
    public static void newConnection(long dcid, String localAddress, String ip, int port, boolean probe) {
        write("New SMTP DCID {} interface {} address {} port {}{}", dcid, localAddress, ip, port, probeMark(probe));
    }

    public static void connectionError(long dcid, String domain, String ip, int port, String details, String localAddress, String reason) {
        connectionError(dcid, domain, ip, port, details, localAddress, reason, false);
    }

    /** {@code probe}: the session is a side probe, so the line ends with {@link #PROBE_MARK}. */
    public static void connectionError(long dcid, String domain, String ip, int port, String details, String localAddress, String reason,
                                       boolean probe) {
        write("Connection Error: DCID {} domain: {} IP: {} port: {} details: {} interface: {} reason: {}{}",
            dcid, domain, ip, port, details, localAddress, reason, probeMark(probe));
    }

    // The ESA words stay as they are, so that a reader or a parser of ESA logs reads the line as
    // usual; the mark only tells that no message was at stake.
    private static String probeMark(boolean probe) {
        return probe ? PROBE_MARK : "";
    }

    public static void tls(long dcid, String mode, boolean active) {
        write("DCID {} TLS {} ({})", dcid, active ? "success" : "not used", mode);
    }

    public static void deliveryStart(long dcid, String mid, List<Integer> rids) {
        write("Delivery start DCID {} MID {} to RID {}", dcid, mid, rids);
    }

    public static void messageDone(long dcid, String mid, List<Integer> rids, String reply) {
        write("Message done DCID {} MID {} to RID {} [('{}')]", dcid, mid, rids, reply);
    }

    public static void possibleDelivery(long dcid, String mid, List<Integer> rids, String details) {
        write("Possible delivery DCID {} MID {} to RID {} - no reply after the final dot, counted as delivered: {}",
            dcid, mid, rids, details);
    }

    /**
     * A recipient that goes on to the next host or the retry queue. {@code code} is the reply code,
     * or {@link #NO_REPLY} when the session ended without one; {@code enhancedCode} may be null.
     */
    public static void delayed(long dcid, String mid, int rid, int code, String enhancedCode, String reply) {
        write("Delayed: DCID {} MID {} to RID [{}] - {}", dcid, mid, rid, esaReply(code, enhancedCode, reply));
    }

    /** A recipient refused for good; the reply as for {@link #delayed}. */
    public static void bounced(long dcid, String mid, String from, String to, int rid, int code, String enhancedCode, String reply) {
        write("Bounced: DCID {} MID {} From:<{}> To:<{}> RID {} - {}", dcid, mid, from, to, rid, esaReply(code, enhancedCode, reply));
    }

    /**
     * The transaction was abandoned because of a failure on this side (the message could not be
     * read): the host is not at fault, and the mail goes to James's error processor.
     */
    public static void localFailure(long dcid, String mid, List<Integer> rids, String details) {
        write("Local error DCID {} MID {} to RID {} - not the host's fault, the mail goes to the error processor: {}",
            dcid, mid, rids, details);
    }

    /**
     * A reply the way the ESA log quotes it: "5.1.1 - ('550', ['5.1.1 No such user'])"; without an
     * enhanced code the class stands in ("4.0.0"). A session that ended without a reply is quoted
     * as its description.
     */
    static String esaReply(int code, String enhancedCode, String reply) {
        if (code < 200) {
            return reply;
        }
        String text = reply.length() > 4 ? reply.substring(4) : "";
        String enhanced = enhancedCode != null ? enhancedCode : code / 100 + ".0.0";
        return enhanced + " - ('" + code + "', ['" + text + "'])";
    }

    public static void queuedForRetry(String mid, List<Integer> rids, int attempt, Instant next, String lastError) {
        write("Message queued for retry MID {} to RID {} attempt {} next {} last error: {}", mid, rids, attempt, next, lastError);
    }

    public static void expired(String mid, List<Integer> rids, int attempts, String lastError) {
        write("Message expired/bounced MID {} to RID {} after {} attempts - {}", mid, rids, attempts, lastError);
    }

    public static void delayWarning(String mid, List<Integer> rids, Instant until) {
        write("Delay warning sent MID {} to RID {} will retry until {}", mid, rids, until);
    }

    public static void dropped(String mid, List<Integer> rids, String domain) {
        write("Message dropped by /dev/null route MID {} to RID {} domain {}", mid, rids, domain);
    }

    public static void hostDown(String host, Instant until, String reason) {
        write("Host down {} until {} reason {}", host, until, reason);
    }

    public static void hostUp(String host) {
        write("Host up {}", host);
    }

    public static void noHosts(String mid, String domain, String reason) {
        write("No destination host MID {} domain {} - {}", mid, domain, reason);
    }

    /**
     * Writes one line, every value escaped first: an address, a reply or an exception message
     * comes from outside, and a CR, LF or ESC in it must not start a forged line of its own or
     * drive the terminal of the admin reading the log.
     */
    private static void write(String format, Object... values) {
        Object[] escaped = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            escaped[i] = escape(values[i]);
        }
        LOG.info(format, escaped);
    }

    /** A value as the mail log writes it: its text with control characters escaped ({@link ControlCharacters}). */
    public static String escape(Object value) {
        return ControlCharacters.escape(String.valueOf(value));
    }

    /** One waiting mail of a node whose lease ran out, now in this node's retry queue. */
    public static void adopted(String mid, String key, String fromNode, String toNode) {
        write("Message adopted MID {} from node {} by node {} key {}", mid, fromNode, toNode, key);
    }

    public static void queueAdopted(String fromNode, String toNode, int count, Instant leaseExpired) {
        write("Queue of node {} adopted by node {}: {} message(s), its lease expired {}", fromNode, toNode, count, leaseExpired);
    }

    /** Something a USEDNS lookup left out, e.g. an MX host whose name cannot be used. */
    public static void mxProblem(String domain, String problem) {
        write("MX lookup domain {} - {}", domain, problem);
    }

    /**
     * One destination host's answer to a call-ahead question (ESA "SMTP Call-Ahead"), e.g.
     * {@code SMTP Call-Ahead: To:<u@example.com> route example.com host 10.0.0.5:25 answer reject - 5.1.1 - ('550', ['5.1.1 No such user'])}.
     */
    public static void callAheadHost(String recipient, String route, String host, String answer, String reply) {
        write("SMTP Call-Ahead: To:<{}> route {} host {} answer {} - {}", recipient, route, host, answer, esaReply(reply));
    }

    /**
     * What a RCPT was answered after call-ahead: the verification's result (fresh or cached), and
     * the action taken, e.g. {@code SMTP Call-Ahead: ICID 12 To:<u@example.com> route example.com
     * result reject (cached) action reject - 5.1.1 - ('550', ['5.1.1 No such user'])}.
     */
    public static void callAheadResult(String context, String recipient, String route, String result, boolean cached,
            String action, String reply) {
        write("SMTP Call-Ahead: {} To:<{}> route {} result {}{} action {} - {}", context, recipient, route,
            result, cached ? " (cached)" : "", action, esaReply(reply));
    }

    /**
     * A reply given as its text only ("550 5.1.1 No such user"), quoted the ESA way: its code and
     * enhanced code read from the text; a text without a code is a description, quoted as it is.
     */
    static String esaReply(String reply) {
        boolean coded = reply.length() >= 3 && Character.isDigit(reply.charAt(0)) && Character.isDigit(reply.charAt(1))
            && Character.isDigit(reply.charAt(2)) && (reply.length() == 3 || reply.charAt(3) == ' ' || reply.charAt(3) == '-');
        if (!coded) {
            return esaReply(NO_REPLY, null, reply);
        }
        String rest = reply.length() > 4 ? reply.substring(4) : "";
        String first = rest.split(" ", 2)[0];
        String enhanced = first.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? first : null;
        return esaReply(Integer.parseInt(reply.substring(0, 3)), enhanced, reply);
    }

    public static String rids(List<Integer> rids) {
        return rids.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
