package io.github.smtproutes.routes;

import java.util.Locale;

import com.google.common.net.InternetDomainName;

/**
 * Checks and normalises the names in route files: the {@code domain} of a route (an exact
 * domain, a {@code .suffix} or the {@code ALL} keyword) and destination host names. Names are
 * plain ASCII letter-digit-hyphen labels; internationalised names are written in their
 * {@code xn--} form. Messages say what is wrong without repeating the name, since callers put the
 * name in front. Needs the JDK only (the ESA tools use it), except {@link #checkInboundDomain},
 * which reads Guava's Public Suffix List inside James.
 */
public final class DomainNames {
    static final String ALL = "ALL";

    private static final int MAX_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private DomainNames() {
    }

    /**
     * Returns {@code written} as stored in a {@link Route}: {@code "ALL"} for the default route,
     * otherwise lowercase.
     */
    public static String normalizeRouteDomain(String written) {
        String domain = written.trim();
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("domain is empty");
        }
        if (domain.equalsIgnoreCase(ALL)) {
            return ALL;
        }
        String lowercase = domain.toLowerCase(Locale.ROOT);
        if (lowercase.startsWith("*.")) {
            throw new IllegalArgumentException("domain: wildcards are not supported; write '"
                + lowercase.substring(1) + "' to match all subdomains");
        }
        if (lowercase.startsWith(".")) {
            checkName(lowercase.substring(1), "domain suffix");
        } else {
            checkName(lowercase, "domain");
        }
        return lowercase;
    }

    /**
     * Checks that a normalised route domain (not {@code ALL}) may be inbound: refuses a public
     * suffix ({@code com}, {@code .co.uk}, {@code .github.io}: Guava's copy of the Public Suffix
     * List, private registries included) and any single-label suffix ({@code .lan},
     * {@code .internal}), which no organisation owns alone.
     */
    static void checkInboundDomain(String domain) {
        boolean suffix = domain.startsWith(".");
        String name = suffix ? domain.substring(1) : domain;
        if (suffix && name.indexOf('.') < 0) {
            throw new IllegalArgumentException("inbound is not allowed on the single-label suffix '" + domain
                + "': it would relay mail from anyone to every domain under it; name your own domain");
        }
        if (InternetDomainName.isValid(name) && InternetDomainName.from(name).isPublicSuffix()) {
            throw new IllegalArgumentException("inbound is not allowed on '" + domain + "': '" + name
                + "' is a public suffix, so it would relay mail from anyone to domains other people own; "
                + "name your own domain");
        }
    }

    /** Checks a lowercase host name (not an IP literal) of a destination host. */
    static void checkHostName(String lowercase) {
        checkName(lowercase, "host name");
    }

    private static void checkName(String name, String what) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (name.endsWith(".")) {
            throw new IllegalArgumentException(what + " must not end with a dot");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_NAME_LENGTH + " characters");
        }
        for (String label : name.split("\\.", -1)) {
            checkLabel(label, what);
        }
    }

    private static void checkLabel(String label, String what) {
        if (label.isEmpty()) {
            throw new IllegalArgumentException(what + " has an empty label (two dots in a row or a leading dot)");
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException(what + " has a label longer than " + MAX_LABEL_LENGTH + " characters");
        }
        for (char c : label.toCharArray()) {
            if (!isLetterDigitHyphen(c)) {
                throw new IllegalArgumentException(what + " contains '" + c
                    + "'; only letters, digits, '-' and '.' are allowed");
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            throw new IllegalArgumentException(what + " has a label starting or ending with '-'");
        }
    }

    private static boolean isLetterDigitHyphen(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
}
