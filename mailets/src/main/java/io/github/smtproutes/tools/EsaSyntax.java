package io.github.smtproutes.tools;

import java.util.regex.Pattern;

import io.github.smtproutes.routes.DomainNames;
import io.github.smtproutes.routes.RouteHost;

/**
 * The checks the ESA tools make on domains and destinations: the route file parser's own
 * ({@link DomainNames}, {@link RouteHost}), so that an import that succeeds gives a route file
 * James loads. Each check returns null when the text is fine, otherwise what is wrong.
 */
final class EsaSyntax {
    static final String USEDNS = "USEDNS";
    static final String DISCARD = "/dev/null";
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,5}");

    private EsaSyntax() {
    }

    static boolean isKeyword(String host) {
        return host.equalsIgnoreCase(USEDNS) || host.equals(DISCARD);
    }

    /** {@code ALL}, {@code example.com} or {@code .example.com}. */
    static String checkDomain(String domain) {
        try {
            DomainNames.normalizeRouteDomain(domain);
            return null;
        } catch (IllegalArgumentException e) {
            return "route '" + domain + "': " + e.getMessage();
        }
    }

    /** A destination without its priority: {@code name}, {@code name:port}, an IP literal, {@code [v6]:port}. */
    static String checkHost(String host) {
        try {
            RouteHost.parse(host, RouteHost.DEFAULT_PRIORITY);
            return null;
        } catch (IllegalArgumentException e) {
            return "destination '" + host + "': " + e.getMessage();
        }
    }

    static String checkPriority(String digits, String destination) {
        if (!DIGITS.matcher(digits).matches() || Integer.parseInt(digits) > RouteHost.MAX_PRIORITY) {
            return "destination '" + destination + "': priority must be 0.." + RouteHost.MAX_PRIORITY + ", got '" + digits + "'";
        }
        return null;
    }
}
