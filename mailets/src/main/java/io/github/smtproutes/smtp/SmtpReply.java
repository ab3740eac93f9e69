package io.github.smtproutes.smtp;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reply of an SMTP server, or the lack of one: the three-digit code, the RFC 3463 enhanced
 * status code when the server sent one, and the text as received. A session that broke before
 * a reply carries a {@link #none(String) no-reply} value whose text says what happened
 * ("Connection refused", "Read timed out").
 */
public final class SmtpReply {
    public static final int NO_CODE = -1;
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*[\\r\\n]+\\s*");
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    private final int code;
    private final String text;

    private SmtpReply(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** Parses a reply as javax.mail reports it ("421 4.3.1 Mail system full", possibly multi-line). */
    public static SmtpReply parse(String serverResponse) {
        String trimmed = serverResponse == null ? "" : serverResponse.trim();
        // A reply starts with three digits, then a space, a hyphen (multi-line) or nothing.
        // Parsed by hand: this runs for every reply of every transaction.
        if (trimmed.length() < 3 || !isDigit(trimmed.charAt(0)) || !isDigit(trimmed.charAt(1)) || !isDigit(trimmed.charAt(2))) {
            return none(trimmed.isEmpty() ? "no reply" : trimmed);
        }
        int code = (trimmed.charAt(0) - '0') * 100 + (trimmed.charAt(1) - '0') * 10 + (trimmed.charAt(2) - '0');
        return new SmtpReply(code, oneLine(trimmed));
    }

    public static SmtpReply of(int code, String text) {
        return new SmtpReply(code, oneLine(text));
    }

    /** No reply was received; {@code what} says why. */
    public static SmtpReply none(String what) {
        return new SmtpReply(NO_CODE, oneLine(what));
    }

    public int code() {
        return code;
    }

    public boolean hasCode() {
        return code != NO_CODE;
    }

    public boolean isPositive() {
        return code >= 200 && code < 300;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500 && code < 600;
    }

    /** The enhanced status code ("4.3.1"), if the server put one after the reply code. */
    public Optional<String> enhancedCode() {
        if (!hasCode()) {
            return Optional.empty();
        }
        String afterCode = text.length() > 4 ? text.substring(4) : "";
        Matcher matcher = ENHANCED.matcher(afterCode);
        if (matcher.find() && matcher.group(1).charAt(0) == text.charAt(0)) {
            return Optional.of(matcher.group(1) + "." + matcher.group(2) + "." + matcher.group(3));
        }
        return Optional.empty();
    }

    /** The reply as one line: "452 4.3.1 Insufficient system resources". */
    public String text() {
        return text;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String trimmed = text.trim();
        if (trimmed.indexOf('\n') < 0 && trimmed.indexOf('\r') < 0) {
            return trimmed;
        }
        return LINE_BREAKS.matcher(trimmed).replaceAll(" ");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SmtpReply)) {
            return false;
        }
        SmtpReply that = (SmtpReply) o;
        return code == that.code && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, text);
    }

    @Override
    public String toString() {
        return text;
    }
}
