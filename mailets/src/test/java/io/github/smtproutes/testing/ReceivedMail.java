package io.github.smtproutes.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One message a {@link ScriptedSmtpServer} accepted (its final "." got a 2xx reply): the envelope,
 * the dot-unstuffed content, and facts about the connection it came over. Immutable; tests read it
 * in assertions.
 */
public final class ReceivedMail {
    private final String sender;
    private final List<String> recipients;
    private final byte[] rawData;
    private final String data;
    private final int connectionNumber;
    private final boolean tls;
    private final String authenticatedUser;

    ReceivedMail(String sender, List<String> recipients, byte[] rawData, int connectionNumber,
                 boolean tls, String authenticatedUser) {
        this.sender = sender;
        this.recipients = List.copyOf(recipients);
        this.rawData = rawData.clone();
        // SMTPUTF8 is not offered, so content is ASCII or (8BITMIME) almost always UTF-8.
        this.data = new String(rawData, StandardCharsets.UTF_8);
        this.connectionNumber = connectionNumber;
        this.tls = tls;
        this.authenticatedUser = authenticatedUser;
    }

    /** The MAIL FROM address without angle brackets; "" for the null reverse-path {@code <>}. */
    public String sender() {
        return sender;
    }

    /** The recipients that got a positive RCPT reply, in the order given. */
    public List<String> recipients() {
        return recipients;
    }

    /** The message as received, dot-unstuffed, CRLF line endings, without the terminating ".". */
    public String data() {
        return data;
    }

    /** The same content as {@link #data()}, as the exact bytes received. */
    public byte[] rawData() {
        return rawData.clone();
    }

    /** Which accepted connection (1 for the first) carried this message. */
    public int connectionNumber() {
        return connectionNumber;
    }

    /** Whether STARTTLS had been completed on the connection before this message. */
    public boolean tls() {
        return tls;
    }

    /** The user that authenticated on the connection, if any. */
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(authenticatedUser);
    }

    /** The unfolded value of the first header with this name (case-insensitive), if present. */
    public Optional<String> header(String name) {
        String wanted = name.toLowerCase(Locale.ROOT) + ":";
        for (String field : unfoldedHeaderFields()) {
            if (field.toLowerCase(Locale.ROOT).startsWith(wanted)) {
                return Optional.of(field.substring(wanted.length()).trim());
            }
        }
        return Optional.empty();
    }

    /** Everything after the blank line that ends the header section ("" if there is none). */
    public String body() {
        int end = data.indexOf("\r\n\r\n");
        return end < 0 ? "" : data.substring(end + 4);
    }

    private List<String> unfoldedHeaderFields() {
        int end = data.indexOf("\r\n\r\n");
        String headers = end < 0 ? data : data.substring(0, end);
        // RFC 5322 2.2.3: a line starting with whitespace continues the previous field.
        return List.of(headers.replaceAll("\r\n(?=[ \t])", "").split("\r\n"));
    }

    @Override
    public String toString() {
        return "ReceivedMail{from=<" + sender + ">, to=" + recipients + ", connection=" + connectionNumber
                + ", tls=" + tls + ", bytes=" + rawData.length + "}";
    }
}
