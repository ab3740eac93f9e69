package io.github.smtproutes.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.smtproutes.log.ControlCharacters;

/**
 * The ESA text form of a route table, one route a line:
 * {@code <domain> <host>[:port][/pri=N], <host>[:port][/pri=N]...}, where a destination may also
 * be {@code USEDNS} or {@code /dev/null} (alone) and the domain {@code ALL} or {@code .suffix}.
 * Lines starting with {@code #} are comments and are kept; blank lines are skipped. Nothing read
 * or written can smuggle a line of its own: a comment holding a control character is refused on
 * reading, and a multi-line comment is written as several {@code #} lines. Reading
 * collects every problem with its line number; writing produces the canonical form (one space
 * after the domain, {@code ", "} between destinations), which reads back to the same entries.
 */
final class EsaText {
    private static final String PRIORITY = "/pri=";
    // Every line terminator: CR LF, LF, CR, VT, FF, NEL, LINE and PARAGRAPH SEPARATOR.
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    private EsaText() {
    }

    static Reading read(String text, String source) {
        List<EsaEntry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> lineOfDomain = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int index = 0; index < lines.length; index++) {
            String line = lines[index].trim();
            String where = source + ":" + (index + 1) + ": ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String comment = lines[index].substring(lines[index].indexOf('#') + 1);
                String problem = RouteXml.checkComment(comment);
                if (problem != null) {
                    problems.add(where + problem);
                } else {
                    entries.add(EsaEntry.comment(comment));
                }
                continue;
            }
            List<String> lineProblems = new ArrayList<>();
            EsaEntry route = readRoute(line, lineProblems);
            if (lineProblems.isEmpty()) {
                Integer earlier = lineOfDomain.putIfAbsent(route.domain().toLowerCase(Locale.ROOT), index + 1);
                if (earlier != null) {
                    lineProblems.add("route '" + route.domain() + "' is defined twice (lines " + earlier + " and " + (index + 1) + ")");
                }
            }
            lineProblems.forEach(problem -> problems.add(where + problem));
            if (lineProblems.isEmpty()) {
                entries.add(route);
            }
        }
        return new Reading(entries, problems);
    }

    static String write(List<EsaEntry> entries) {
        StringBuilder text = new StringBuilder();
        for (EsaEntry entry : entries) {
            if (entry.isComment()) {
                commentLines(entry.commentText()).forEach(line -> text.append('#').append(line).append('\n'));
                continue;
            }
            text.append(entry.domain()).append(' ')
                .append(entry.destinations().stream().map(EsaEntry.Destination::esaForm).collect(Collectors.joining(", ")))
                .append('\n');
        }
        return text.toString();
    }

    /**
     * A comment as {@code #} lines: one per line of a multi-line comment (a route file's XML
     * comment may span lines), so that no part of it becomes a route line of its own; control
     * characters other than TAB are escaped ({@code \x1B}), since the ESA side may break a line
     * at any of them.
     */
    static List<String> commentLines(String comment) {
        List<String> lines = new ArrayList<>();
        for (String line : LINE_BREAK.split(comment, -1)) {
            lines.add(escapeControls(line));
        }
        return lines;
    }

    private static String escapeControls(String line) {
        StringBuilder escaped = new StringBuilder();
        for (char c : line.toCharArray()) {
            if (c != '\t' && ControlCharacters.isControl(c)) {
                escaped.append(ControlCharacters.escape(String.valueOf(c)));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private static EsaEntry readRoute(String line, List<String> problems) {
        String[] domainAndRest = line.split("\\s+", 2);
        String domain = domainAndRest[0];
        addIfProblem(problems, EsaSyntax.checkDomain(domain));
        if (domainAndRest.length < 2 || domainAndRest[1].isBlank()) {
            problems.add("route '" + domain + "' has no destination: write hosts, USEDNS or /dev/null after the domain");
            return null;
        }
        List<EsaEntry.Destination> destinations = new ArrayList<>();
        for (String written : domainAndRest[1].split(",", -1)) {
            String destination = written.trim();
            if (destination.isEmpty()) {
                problems.add("route '" + domain + "': empty destination (a stray comma?)");
                continue;
            }
            EsaEntry.Destination parsed = readDestination(destination, problems);
            if (parsed != null) {
                destinations.add(parsed);
            }
        }
        checkKeywordsAlone(domain, destinations, problems);
        return EsaEntry.route(domain, destinations, List.of());
    }

    private static EsaEntry.Destination readDestination(String destination, List<String> problems) {
        if (destination.chars().anyMatch(Character::isWhitespace)) {
            problems.add("destination '" + destination + "': separate destinations with ','");
            return null;
        }
        if (EsaSyntax.isKeyword(destination)) {
            return new EsaEntry.Destination(destination, OptionalInt.empty());
        }
        String host = destination;
        OptionalInt priority = OptionalInt.empty();
        int option = destination.lastIndexOf(PRIORITY);
        if (option >= 0) {
            host = destination.substring(0, option);
            String digits = destination.substring(option + PRIORITY.length());
            String problem = EsaSyntax.checkPriority(digits, destination);
            if (problem != null) {
                problems.add(problem);
                return null;
            }
            priority = OptionalInt.of(Integer.parseInt(digits));
        }
        if (EsaSyntax.isKeyword(host) || host.toUpperCase(Locale.ROOT).startsWith(EsaSyntax.USEDNS + ":") || host.startsWith(EsaSyntax.DISCARD)) {
            problems.add("destination '" + destination + "': USEDNS and /dev/null take no port or priority");
            return null;
        }
        if (host.contains("/")) {
            problems.add("destination '" + destination + "': unknown option; only /pri=N is supported");
            return null;
        }
        String problem = EsaSyntax.checkHost(host);
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        return new EsaEntry.Destination(host, priority);
    }

    private static void checkKeywordsAlone(String domain, List<EsaEntry.Destination> destinations, List<String> problems) {
        if (destinations.size() > 1 && destinations.stream().anyMatch(d -> d.keyword().isPresent())) {
            problems.add("route '" + domain + "': USEDNS and /dev/null must be the route's only destination");
        }
    }

    private static void addIfProblem(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }
}
