package io.github.smtproutes.routes;


/**
 * What RCPT answers when a recipient could not be verified because no host of the route gave a
 * definite answer (every host answered 4xx, or nothing, within the time allowed), from the
 * {@code onVerifyFailure} attribute of a {@code <route>}.
 */
public enum VerifyFailureAction {
    /** {@code 451 4.4.3}: the sending server keeps the mail and tries again later (the default). */
    TEMPFAIL,
    /** Accept the recipient unverified; the inside server judges it at delivery, as without call-ahead. */
    ACCEPT;

    /**
     * Reads the keyword used in route files ({@code tempfail}, {@code accept}), ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted keywords
     */
    public static VerifyFailureAction parse(String text) {
        return Keywords.parse(VerifyFailureAction.class, text);
    }

    public String keyword() {
        return Keywords.of(this);
    }
}
