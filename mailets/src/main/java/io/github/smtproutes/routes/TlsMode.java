package io.github.smtproutes.routes;


/**
 * How a route uses STARTTLS toward its destination hosts, from the {@code tls} attribute of a
 * {@code <route>}. Only {@link #VERIFY} checks the server certificate; the others protect against
 * passive eavesdropping only.
 */
public enum TlsMode {
    /** Never issue STARTTLS, even when the server offers it. */
    NONE,
    /** Use STARTTLS when the server offers it, otherwise send in clear; certificates are not checked. */
    OPPORTUNISTIC,
    /** STARTTLS must succeed or the host is treated as failed; certificates are not checked. */
    REQUIRED,
    /** STARTTLS must succeed with a certificate that is trusted and matches the host name. */
    VERIFY;

    /**
     * Reads the keyword used in route files ({@code none}, {@code opportunistic}, {@code required},
     * {@code verify}), ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted keywords
     */
    public static TlsMode parse(String text) {
        return Keywords.parse(TlsMode.class, text);
    }

    /** The keyword as written in route files, e.g. {@code "opportunistic"}. */
    public String keyword() {
        return Keywords.of(this);
    }
}
