package io.github.smtproutes.routes;


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
        return Keywords.parse(RecipientVerification.class, text);
    }

    public String keyword() {
        return Keywords.of(this);
    }
}
