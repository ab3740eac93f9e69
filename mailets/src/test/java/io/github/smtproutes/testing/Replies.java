package io.github.smtproutes.testing;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Small helpers for SMTP reply strings: validating scripted replies, reading their code, and putting
 * them on the wire with CRLF line endings. Keeps reply arithmetic out of the protocol code.
 */
final class Replies {
    // RFC 5321 4.2: a reply is a three-digit code; only 2xx-5xx make sense for a script to send.
    private static final Pattern REPLY = Pattern.compile("[2-5][0-9][0-9]([ -].*)?", Pattern.DOTALL);

    private Replies() {
    }

    static String validate(String reply) {
        Objects.requireNonNull(reply, "reply");
        if (!REPLY.matcher(reply).matches()) {
            throw new IllegalArgumentException(
                    "An SMTP reply starts with a code 200-599, then a space or '-': '" + reply + "'");
        }
        return reply;
    }

    static int code(String reply) {
        return Integer.parseInt(reply.substring(0, 3));
    }

    /** 2xx and 3xx replies let the command take effect; 4xx and 5xx refuse it. */
    static boolean isPositive(String reply) {
        return code(reply) < 400;
    }

    /** Builds "250-first", "250-...", "250 last" (RFC 5321 4.2.1 multi-line form). */
    static String multiline(int code, List<String> texts) {
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            boolean last = i == texts.size() - 1;
            reply.append(code).append(last ? ' ' : '-').append(texts.get(i));
            if (!last) {
                reply.append("\r\n");
            }
        }
        return reply.toString();
    }

    /** The reply with every line ending normalised to CRLF, ending in CRLF, as RFC 5321 2.3.8 requires. */
    static String wireFormat(String reply) {
        String withoutTrailingBreaks = reply.replaceAll("[\r\n]+$", "");
        return String.join("\r\n", withoutTrailingBreaks.split("\r?\n")) + "\r\n";
    }
}
