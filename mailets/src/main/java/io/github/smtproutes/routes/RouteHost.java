package io.github.smtproutes.routes;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One destination of a route: a host name or IP literal, the SMTP port to connect to, and the
 * priority group it belongs to (0 is tried first). Host names are stored lowercase and IPv6
 * literals without brackets; {@link #address()} puts the brackets back.
 */
public final class RouteHost {
    public static final int DEFAULT_PORT = 25;
    public static final int DEFAULT_PRIORITY = 0;
    public static final int MAX_PRIORITY = 65535;
    private static final int MAX_PORT = 65535;
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    private final String host;
    private final int port;
    private final int priority;

    private RouteHost(String host, int port, int priority) {
        this.host = host;
        this.port = port;
        this.priority = priority;
    }

    /**
     * Returns the destination {@code host:port} in priority group {@code priority}.
     *
     * @param host a host name, an IPv4 literal or an IPv6 literal with or without brackets
     * @throws IllegalArgumentException if the host, port (1..65535) or priority (0..65535) is invalid
     */
    public static RouteHost of(String host, int port, int priority) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > MAX_PORT) {
            throw new IllegalArgumentException("port must be 1.." + MAX_PORT);
        }
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 0.." + MAX_PRIORITY);
        }
        return new RouteHost(normalizeHost(host), port, priority);
    }

    /**
     * Reads a host as written in a route file: {@code name}, {@code name:port}, {@code 1.2.3.4},
     * {@code 1.2.3.4:port}, {@code ::1}, {@code [::1]} or {@code [::1]:port}. The port defaults
     * to 25. A bare IPv6 literal cannot carry a port: use brackets.
     *
     * @throws IllegalArgumentException saying what is wrong, without repeating {@code text}
     */
    public static RouteHost parse(String text, int priority) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (trimmed.startsWith("[")) {
            return parseBracketed(trimmed, priority);
        }
        int colons = (int) trimmed.chars().filter(c -> c == ':').count();
        if (colons == 1) {
            int colon = trimmed.indexOf(':');
            return of(trimmed.substring(0, colon), parsePort(trimmed.substring(colon + 1)), priority);
        }
        return of(trimmed, DEFAULT_PORT, priority);
    }

    /**
     * Why {@code name} cannot be a destination host name (letters, digits, '-' and '.' only), or
     * empty when it can. For names that come from DNS, such as MX targets, where a bad name is
     * skipped rather than refused.
     */
    public static Optional<String> hostNameProblem(String name) {
        try {
            DomainNames.checkHostName(name.toLowerCase(Locale.ROOT));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The lowercase host name, or the IP literal without brackets. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The priority group: 0 is tried first, then 1, and so on. */
    public int priority() {
        return priority;
    }

    /** {@code host:port}, with IPv6 literals in brackets: {@code [::1]:2525}. */
    public String address() {
        return (isIpv6() ? "[" + host + "]" : host) + ":" + port;
    }

    private boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    private static RouteHost parseBracketed(String text, int priority) {
        int close = text.indexOf(']');
        if (close < 0) {
            throw new IllegalArgumentException("missing ']' after the IPv6 address");
        }
        String literal = text.substring(1, close);
        String rest = text.substring(close + 1);
        if (literal.indexOf(':') < 0) {
            throw new IllegalArgumentException("brackets are only for IPv6 addresses");
        }
        if (rest.isEmpty()) {
            return of(literal, DEFAULT_PORT, priority);
        }
        if (!rest.startsWith(":")) {
            throw new IllegalArgumentException("expected ':port' after ']'");
        }
        return of(literal, parsePort(rest.substring(1)), priority);
    }

    private static int parsePort(String digits) {
        if (!DIGITS.matcher(digits).matches()) {
            throw new IllegalArgumentException("port '" + digits + "' is not a number");
        }
        if (digits.length() > 5) {
            throw new IllegalArgumentException("port must be 1.." + MAX_PORT);
        }
        return Integer.parseInt(digits);
    }

    private static String normalizeHost(String written) {
        String host = written.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (host.indexOf(':') >= 0) {
            requireIpLiteral(IpLiterals.isIpv6(host), "IPv6");
        } else if (DIGITS_AND_DOTS.matcher(host).matches()) {
            requireIpLiteral(IpLiterals.isIpv4(host), "IPv4");
        } else {
            DomainNames.checkHostName(host);
        }
        return host;
    }

    private static void requireIpLiteral(boolean valid, String family) {
        if (!valid) {
            throw new IllegalArgumentException("not a valid " + family + " address");
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RouteHost)) {
            return false;
        }
        RouteHost that = (RouteHost) other;
        return host.equals(that.host) && port == that.port && priority == that.priority;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, priority);
    }

    /** {@code address()/pri=priority}, e.g. {@code 192.168.1.11:2525/pri=0}. */
    @Override
    public String toString() {
        return address() + "/pri=" + priority;
    }
}
