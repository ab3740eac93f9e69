package io.github.smtproutes.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only changes the runner makes to the project's James configuration to run it on this
 * machine instead of in the Docker image: listen on loopback ports instead of 25/8000/9999, and
 * ask DNS of a given server instead of autodiscovering one. Each method takes a file's text and
 * returns it with just those values replaced, so comments and every other setting stay as the
 * project wrote them. Pure functions: unit-tested against the real conf/ files.
 */
final class LocalConf {
    static final String LOOPBACK = "127.0.0.1";

    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    private static final Pattern BIND = Pattern.compile("<bind>(.*?)</bind>", Pattern.DOTALL);
    private static final Pattern AUTODISCOVER = Pattern.compile("<autodiscover>.*?</autodiscover>", Pattern.DOTALL);
    private static final Pattern SERVERS = Pattern.compile("<servers>.*?</servers>|<servers\\s*/>", Pattern.DOTALL);
    private static final Pattern DNSSERVICE_OPEN = Pattern.compile("<dnsservice\\b[^>]*>");

    private LocalConf() {
    }

    /**
     * smtpserver.xml: the first listener binds {@code 127.0.0.1:smtpPort}. Any further listeners
     * (the shipped submission port 587, the stock image's 465) move to loopback as well, keeping an
     * unprivileged port; a privileged one (below 1024, which a user cannot bind) becomes 0, a free
     * port the system picks.
     */
    static String smtpServer(String xml, int smtpPort) {
        List<int[]> binds = elementsOutsideComments(xml, BIND);
        if (binds.isEmpty()) {
            throw new RunnerException("smtpserver.xml has no <bind> element: cannot move SMTP to a local port");
        }
        StringBuilder out = new StringBuilder(xml);
        // Replace from the end so earlier offsets stay valid.
        for (int i = binds.size() - 1; i >= 0; i--) {
            int[] bind = binds.get(i);
            String value = i == 0 ? LOOPBACK + ":" + smtpPort : onLoopback(xml.substring(bind[2], bind[3]));
            out.replace(bind[2], bind[3], value);
        }
        return out.toString();
    }

    /** webadmin.properties: {@code port} and {@code host} set (or added), everything else kept. */
    static String webAdmin(String properties, int port) {
        String withPort = setProperty(properties, "port", String.valueOf(port));
        return setProperty(withPort, "host", LOOPBACK);
    }

    /** jmx.properties: JMX (if enabled) on loopback at {@code port} instead of the image's 9999. */
    static String jmx(String properties, int port) {
        String address = setProperty(properties, "jmx.address", LOOPBACK);
        return setProperty(address, "jmx.port", String.valueOf(port));
    }

    /**
     * dnsservice.xml: {@code autodiscover=false} and a single configured server, for machines
     * without a usable system resolver. The other settings (cache size, authoritative) are kept.
     */
    static String dnsService(String xml, String server) {
        String autodiscover = "<autodiscover>false</autodiscover>";
        String servers = "<servers><server>" + server + "</server></servers>";
        String result = replaceOrInsertAfter(xml, AUTODISCOVER, autodiscover, DNSSERVICE_OPEN);
        return replaceOrInsertAfter(result, SERVERS, servers, AUTODISCOVER);
    }

    /** The jvm.properties of the James 3.8.1 image, used when the project ships none. */
    static String defaultJvmProperties() {
        return "# Written by ./run-james: the values of the James 3.8.1 image's conf/jvm.properties.\n"
            + "sun.rmi.dgc.server.gcInterval=3600000000\n"
            + "sun.rmi.dgc.client.gcInterval=3600000000\n"
            + "james.jmx.credential.generation=true\n"
            + "jmx.remote.x.mlet.allow.getMBeansFromURL=false\n";
    }

    private static String onLoopback(String bindValue) {
        StringBuilder result = new StringBuilder();
        for (String address : bindValue.split(",")) {
            String trimmed = address.trim();
            int colon = trimmed.lastIndexOf(':');
            String port = colon < 0 ? "25" : trimmed.substring(colon + 1);
            if (isPrivileged(port)) {
                port = "0";
            }
            result.append(result.length() == 0 ? "" : ",").append(LOOPBACK).append(':').append(port);
        }
        return result.toString();
    }

    private static boolean isPrivileged(String port) {
        return port.matches("[0-9]{1,5}") && Integer.parseInt(port) < 1024;
    }

    /** Each match as {start, end, group1Start, group1End}, skipping matches inside XML comments. */
    private static List<int[]> elementsOutsideComments(String xml, Pattern element) {
        List<int[]> comments = new ArrayList<>();
        Matcher comment = COMMENT.matcher(xml);
        while (comment.find()) {
            comments.add(new int[] {comment.start(), comment.end()});
        }
        List<int[]> found = new ArrayList<>();
        Matcher matcher = element.matcher(xml);
        while (matcher.find()) {
            int start = matcher.start();
            boolean commented = comments.stream().anyMatch(c -> start >= c[0] && start < c[1]);
            if (!commented) {
                found.add(new int[] {matcher.start(), matcher.end(), matcher.start(1), matcher.end(1)});
            }
        }
        return found;
    }

    /** Replaces the first {@code element}, or inserts {@code replacement} on a new line after {@code anchor}. */
    private static String replaceOrInsertAfter(String xml, Pattern element, String replacement, Pattern anchor) {
        List<int[]> existing = elementsOutsideComments(xml, grouped(element));
        if (!existing.isEmpty()) {
            int[] first = existing.get(0);
            return xml.substring(0, first[0]) + replacement + xml.substring(first[1]);
        }
        List<int[]> anchors = elementsOutsideComments(xml, grouped(anchor));
        if (anchors.isEmpty()) {
            throw new RunnerException("dnsservice.xml has no <dnsservice> element");
        }
        int insertAt = anchors.get(0)[1];
        return xml.substring(0, insertAt) + "\n    " + replacement + xml.substring(insertAt);
    }

    private static Pattern grouped(Pattern pattern) {
        return Pattern.compile("(" + pattern.pattern() + ")", Pattern.DOTALL);
    }

    private static String setProperty(String properties, String key, String value) {
        Pattern line = Pattern.compile("(?m)^[ \\t]*" + Pattern.quote(key) + "[ \\t]*[=:].*$");
        Matcher matcher = line.matcher(properties);
        if (matcher.find()) {
            return properties.substring(0, matcher.start()) + key + "=" + value + properties.substring(matcher.end());
        }
        String separator = properties.isEmpty() || properties.endsWith("\n") ? "" : "\n";
        return properties + separator + key + "=" + value + "\n";
    }
}
