package io.github.smtproutes.routes;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Checks the IP literals of route files with the JDK alone, so that the route checks also run in
 * the ESA tools, which need nothing but this project's classes. IPv4 is four decimal octets
 * 0..255 without leading zeros (no {@code 10.1} short forms, which resolvers read differently);
 * IPv6 is what {@link InetAddress} parses from hex digits, colons and dots, without a zone.
 */
final class IpLiterals {
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    // Starts with a hex digit or ':' so that InetAddress parses it as a literal and never asks DNS.
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*");

    private IpLiterals() {
    }

    static boolean isIpv4(String text) {
        return IPV4.matcher(text).matches();
    }

    static boolean isIpv6(String text) {
        if (text.indexOf(':') < 0 || !IPV6_CHARACTERS.matcher(text).matches()) {
            return false;
        }
        try {
            // A text with a colon is parsed as a literal, never looked up in DNS.
            InetAddress.getByName(text);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
