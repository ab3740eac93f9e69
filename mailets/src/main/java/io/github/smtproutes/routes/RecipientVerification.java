package io.github.smtproutes.routes;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Whether an inbound route checks each recipient with its own destination hosts before James
 * accepts it at RCPT, from the {@code verifyRecipients} attribute of a {@code <route>}. The ESA
 * calls this "SMTP Call-Ahead", Postfix {@code reject_unverified_recipient}, Exim a callout.
 */
public enum RecipientVerification {
    /** Accept every recipient of the inbound domain; the inside server judges them after DATA. */
    OFF,
    /** Ask the route's hosts (MAIL FROM:&lt;&gt;, RCPT TO) and answer RCPT as they do. */
    CALLAHEAD;

    /**
     * Reads the keyword used in route files ({@code off}, {@code callahead}), ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted keywords
     */
    public static RecipientVerification parse(String text) {
        Objects.requireNonNull(text, "text");
        for (RecipientVerification mode : values()) {
            if (mode.keyword().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("must be one of " + keywords() + ", got '" + text + "'");
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static String keywords() {
        return Arrays.stream(values()).map(RecipientVerification::keyword).collect(Collectors.joining("|"));
    }
}
