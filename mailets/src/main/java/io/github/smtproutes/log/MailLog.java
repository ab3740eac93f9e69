package io.github.smtproutes.log;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.smtp.SmtpReply;

/**
 * The delivery mail log: one line per event, worded like the Cisco ESA mail log so that an ESA
 * admin reads it without a guide ("New SMTP DCID ...", "Connection Error: ...", "Message done
 * ..."). It writes to the logger {@code io.github.smtproutes.maillog}, which James's logback
 * configuration can send to its own file. It also hands out DCIDs, the delivery connection ids.
 * Nothing secret is ever passed to it.
 */
public final class MailLog {
    public static final String LOGGER_NAME = "io.github.smtproutes.maillog";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);
    private static final AtomicLong DCIDS = new AtomicLong();

    private MailLog() {
    }

    /** A new delivery connection id, unique in this James process. */
    public static long nextDcid() {
        return DCIDS.incrementAndGet();
    }

    public static void newConnection(long dcid, String localAddress, String ip, int port) {
        LOG.info("New SMTP DCID {} interface {} address {} port {}", dcid, localAddress, ip, port);
    }

    public static void connectionError(long dcid, String domain, String ip, int port, String details, String localAddress, String reason) {
        LOG.info("Connection Error: DCID {} domain: {} IP: {} port: {} details: {} interface: {} reason: {}",
            dcid, domain, ip, port, details, localAddress, reason);
    }

    public static void tls(long dcid, String mode, boolean active) {
        LOG.info("DCID {} TLS {} ({})", dcid, active ? "success" : "not used", mode);
    }

    public static void deliveryStart(long dcid, String mid, List<Integer> rids) {
        LOG.info("Delivery start DCID {} MID {} to RID {}", dcid, mid, rids);
    }

    public static void messageDone(long dcid, String mid, List<Integer> rids, String reply) {
        LOG.info("Message done DCID {} MID {} to RID {} [('{}')]", dcid, mid, rids, reply);
    }

    public static void possibleDelivery(long dcid, String mid, List<Integer> rids, String details) {
        LOG.info("Possible delivery DCID {} MID {} to RID {} - no reply after the final dot, counted as delivered: {}",
            dcid, mid, rids, details);
    }

    public static void delayed(long dcid, String mid, int rid, String reply) {
        LOG.info("Delayed: DCID {} MID {} to RID [{}] - {}", dcid, mid, rid, esaReply(reply));
    }

    public static void bounced(long dcid, String mid, String from, String to, int rid, String reply) {
        LOG.info("Bounced: DCID {} MID {} From:<{}> To:<{}> RID {} - {}", dcid, mid, from, to, rid, esaReply(reply));
    }

    /**
     * A reply the way the ESA log quotes it: "5.1.1 - ('550', ['5.1.1 No such user'])"; a
     * session that ended without a reply is quoted as its description.
     */
    static String esaReply(String reply) {
        SmtpReply parsed = SmtpReply.parse(reply);
        if (!parsed.hasCode()) {
            return parsed.text();
        }
        String text = parsed.text().length() > 4 ? parsed.text().substring(4) : "";
        String enhanced = parsed.enhancedCode().orElse(parsed.code() / 100 + ".0.0");
        return enhanced + " - ('" + parsed.code() + "', ['" + text + "'])";
    }

    public static void queuedForRetry(String mid, List<Integer> rids, int attempt, Instant next, String lastError) {
        LOG.info("Message queued for retry MID {} to RID {} attempt {} next {} last error: {}", mid, rids, attempt, next, lastError);
    }

    public static void expired(String mid, List<Integer> rids, int attempts, String lastError) {
        LOG.info("Message expired/bounced MID {} to RID {} after {} attempts - {}", mid, rids, attempts, lastError);
    }

    public static void delayWarning(String mid, List<Integer> rids, Instant until) {
        LOG.info("Delay warning sent MID {} to RID {} will retry until {}", mid, rids, until);
    }

    public static void dropped(String mid, List<Integer> rids, String domain) {
        LOG.info("Message dropped by /dev/null route MID {} to RID {} domain {}", mid, rids, domain);
    }

    public static void hostDown(String host, Instant until, String reason) {
        LOG.info("Host down {} until {} reason {}", host, until, reason);
    }

    public static void hostUp(String host) {
        LOG.info("Host up {}", host);
    }

    public static void noHosts(String mid, String domain, String reason) {
        LOG.info("No destination host MID {} domain {} - {}", mid, domain, reason);
    }

    /** One waiting mail of a node whose lease ran out, now in this node's retry queue. */
    public static void adopted(String mid, String key, String fromNode, String toNode) {
        LOG.info("Message adopted MID {} from node {} by node {} key {}", mid, fromNode, toNode, key);
    }

    public static void queueAdopted(String fromNode, String toNode, int count, Instant leaseExpired) {
        LOG.info("Queue of node {} adopted by node {}: {} message(s), its lease expired {}", fromNode, toNode, count, leaseExpired);
    }

    /**
     * One destination host's answer to a call-ahead question (ESA "SMTP Call-Ahead"), e.g.
     * {@code SMTP Call-Ahead: To:<u@example.com> route example.com host 10.0.0.5:25 answer reject - 5.1.1 - ('550', ['5.1.1 No such user'])}.
     */
    public static void callAheadHost(String recipient, String route, String host, String answer, String reply) {
        LOG.info("SMTP Call-Ahead: To:<{}> route {} host {} answer {} - {}", printable(recipient), route, host, answer,
            printable(esaReply(reply)));
    }

    /**
     * What a RCPT was answered after call-ahead: the verification's result (fresh or cached), and
     * the action taken, e.g. {@code SMTP Call-Ahead: ICID 12 To:<u@example.com> route example.com
     * result reject (cached) action reject - 5.1.1 - ('550', ['5.1.1 No such user'])}.
     */
    public static void callAheadResult(String context, String recipient, String route, String result, boolean cached,
            String action, String reply) {
        LOG.info("SMTP Call-Ahead: {} To:<{}> route {} result {}{} action {} - {}", context, printable(recipient), route,
            result, cached ? " (cached)" : "", action, printable(esaReply(reply)));
    }

    /** Control characters as {@code \xNN}, so that no address or reply can forge or break a log line. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    public static String rids(List<Integer> rids) {
        return rids.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
