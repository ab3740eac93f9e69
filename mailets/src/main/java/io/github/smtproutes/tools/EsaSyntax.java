package io.github.smtproutes.tools;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks the ESA tools make on domains and destinations, mirroring what the route file
 * parser accepts, with the JDK only: so that an import that succeeds gives a route file James
 * loads. Each check returns null when the text is fine, otherwise what is wrong.
 */
final class EsaSyntax {
    static final String USEDNS = "USEDNS";
    static final String DISCARD = "/dev/null";
    private static final String LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    private static final Pattern NAME = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final int MAX_NAME = 253;
    private static final int MAX_NUMBER = 65535;

    private EsaSyntax() {
    }

    static boolean isKeyword(String host) {
        return host.equalsIgnoreCase(USEDNS) || host.equals(DISCARD);
    }

    /** {@code ALL}, {@code example.com} or {@code .example.com}. */
    static String checkDomain(String domain) {
        if (domain.equalsIgnoreCase("ALL")) {
            return null;
        }
        String name = domain.toLowerCase(Locale.ROOT);
        if (name.startsWith("*.")) {
            return "domain '" + domain + "': wildcards are not supported; write '" + domain.substring(1) + "'";
        }
        return checkName(name.startsWith(".") ? name.substring(1) : name, "domain '" + domain + "'");
    }

    /** A destination without its priority: {@code name}, {@code name:port}, an IP literal, {@code [v6]:port}. */
    static String checkHost(String host) {
        String text = host.toLowerCase(Locale.ROOT);
        if (text.startsWith("[")) {
            return checkBracketed(text, host);
        }
        long colons = text.chars().filter(c -> c == ':').count();
        if (colons > 1) {
            return checkIpv6(text, host);
        }
        if (colons == 1) {
            String port = checkPort(text.substring(text.indexOf(':') + 1), host);
            return port != null ? port : checkNameOrIpv4(text.substring(0, text.indexOf(':')), host);
        }
        return checkNameOrIpv4(text, host);
    }

    static String checkPriority(String digits, String destination) {
        if (!PORT.matcher(digits).matches() || Integer.parseInt(digits) > MAX_NUMBER) {
            return "destination '" + destination + "': priority must be 0.." + MAX_NUMBER + ", got '" + digits + "'";
        }
        return null;
    }

    private static String checkBracketed(String text, String host) {
        int close = text.indexOf(']');
        if (close < 0) {
            return "destination '" + host + "': missing ']' after the IPv6 address";
        }
        String literal = checkIpv6(text.substring(1, close), host);
        if (literal != null) {
            return literal;
        }
        String rest = text.substring(close + 1);
        if (rest.isEmpty()) {
            return null;
        }
        return rest.startsWith(":") ? checkPort(rest.substring(1), host) : "destination '" + host + "': expected ':port' after ']'";
    }

    private static String checkIpv6(String literal, String host) {
        if (literal.indexOf(':') < 0 || !literal.matches("[0-9a-f:.]+")) {
            return "destination '" + host + "': not a valid IPv6 address";
        }
        try {
            // A literal with colons is parsed, never looked up in DNS.
            InetAddress.getByName(literal);
            return null;
        } catch (UnknownHostException e) {
            return "destination '" + host + "': not a valid IPv6 address";
        }
    }

    private static String checkNameOrIpv4(String name, String host) {
        if (DIGITS_AND_DOTS.matcher(name).matches()) {
            return IPV4.matcher(name).matches() ? null : "destination '" + host + "': not a valid IPv4 address";
        }
        return checkName(name, "destination '" + host + "'");
    }

    private static String checkPort(String digits, String host) {
        if (!PORT.matcher(digits).matches() || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > MAX_NUMBER) {
            return "destination '" + host + "': port must be 1.." + MAX_NUMBER;
        }
        return null;
    }

    private static String checkName(String name, String what) {
        if (name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            return what + ": not a valid name (letters, digits, '-' and '.'; no empty labels)";
        }
        return null;
    }
}
