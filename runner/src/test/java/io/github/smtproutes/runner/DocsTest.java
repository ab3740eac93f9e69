package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation true to the repository: every relative link in README.md and docs/
 * reaches an existing file and heading; no documentation or source file refers to an issue
 * number; and docs/configuration.md lists, with a default, every mailet parameter and every
 * route-file element and attribute that the code accepts. The code side is read from the
 * mailets module's Java source, where the accepted names are declared as constants, so a name
 * added there without documentation fails this test.
 */
class DocsTest {
    private static final Path PROJECT = Path.of(System.getProperty(ProjectLayout.PROJECT_DIR_PROPERTY)).toAbsolutePath().normalize();
    private static final Path DOCS = PROJECT.resolve("docs");
    private static final Path CONFIGURATION = DOCS.resolve("configuration.md");
    private static final Path MAIN_SOURCES = PROJECT.resolve("mailets/src/main/java/io/github/smtproutes");
    private static final Path ROUTES_SOURCES = MAIN_SOURCES.resolve("routes");

    /** The word "issue" or "issues" and a number, with or without '#': project history a reader cannot see. */
    private static final Pattern ISSUE_NUMBER = Pattern.compile("(?i)\\bissues?\\s*#?\\s*[0-9]+");
    /** Where documentation and source live; build output (target/) is skipped. */
    private static final List<String> CHECKED_FOR_ISSUE_NUMBERS = List.of("README.md", "docs", "conf",
        "mailets/src", "runner/src", "bench", "docker", "run-james", ".ci");
    /** The README is the front door; topics belong in docs/. */
    private static final int README_MAX_LINES = 250;

    @Test
    void everyRelativeLinkReachesAnExistingFileAndHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path document : documents()) {
            for (String target : Markdown.read(document).links()) {
                brokenLink(document, target).ifPresent(broken::add);
            }
        }

        assertThat(broken).as("broken links in README.md and docs/").isEmpty();
    }

    @Test
    void noDocumentationOrSourceFileMentionsAnIssueNumber() throws IOException {
        List<String> mentions = new ArrayList<>();
        for (Path file : filesCheckedForIssueNumbers()) {
            String[] lines = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher matcher = ISSUE_NUMBER.matcher(lines[i]);
                if (matcher.find()) {
                    mentions.add(PROJECT.relativize(file) + ":" + (i + 1) + ": " + matcher.group());
                }
            }
        }

        assertThat(mentions).as("say what the code does, not which issue it came from").isEmpty();
    }

    @Test
    void configurationListsEverySmtpRouteDeliveryParameterWithItsDefault() throws IOException {
        Set<String> accepted = quotedStrings(constant(MAIN_SOURCES.resolve("DeliveryParameters.java"), "NAMES"));

        assertThat(accepted).as("DeliveryParameters.NAMES as read from its source").contains("routes", "retryRepository", "timeout");
        assertThat(undocumented("SmtpRouteDelivery mailet parameters", accepted)).isEmpty();
    }

    @Test
    void configurationListsEverySmtpRoutesDsnParameterWithItsDefault() throws IOException {
        Set<String> accepted = quotedStrings(constant(MAIN_SOURCES.resolve("SmtpRoutesDsn.java"), "PARAMETERS"));

        assertThat(accepted).as("SmtpRoutesDsn.PARAMETERS as read from its source").contains("action");
        assertThat(undocumented("SmtpRoutesDsn mailet parameters", accepted)).isEmpty();
    }

    @Test
    void configurationListsEveryRouteFileAttributeWithItsDefault() throws IOException {
        Map<String, Set<String>> attributesByElement = routeFileAttributes();

        assertThat(attributesByElement).as("the *_ATTRIBUTES lists of the route parser").containsKeys("route", "host", "retry", "auth");
        assertThat(attributesByElement.get("route")).contains("domain", "tls");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Set<String>> element : attributesByElement.entrySet()) {
            problems.addAll(undocumented("<" + element.getKey() + "> attributes", element.getValue()));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void configurationListsEveryRouteFileElementWithItsDefault() throws IOException {
        Set<String> elements = routeFileElements();

        assertThat(elements).as("the elements the route parser accepts").contains("smtproutes", "route", "host", "retry", "auth");
        assertThat(undocumented("Route file elements",
            elements.stream().map(name -> "<" + name + ">").collect(Collectors.toCollection(LinkedHashSet::new)))).isEmpty();
    }

    @Test
    void readmeIsAFrontDoorWhoseTestCommandIsTheCiCommand() throws IOException {
        List<String> readme = Files.readAllLines(PROJECT.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> ci = Files.readAllLines(PROJECT.resolve(".ci/run"), StandardCharsets.UTF_8);
        String buildAndTest = Markdown.read(PROJECT.resolve("README.md")).section("Build and test");

        assertThat(readme.size()).as("README.md lines; move topics into docs/").isLessThanOrEqualTo(README_MAX_LINES);
        assertThat(buildAndTest).contains("\n    mvn -B verify\n").contains("`.ci/run` runs exactly this command");
        List<String> commands = ci.stream().map(String::trim)
            .filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.toList());
        assertThat(commands).as(".ci/run's commands").isNotEmpty();
        assertThat(commands.get(commands.size() - 1)).isEqualTo("mvn -B verify");
    }

    // ---- links

    private static Optional<String> brokenLink(Path document, String target) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return Optional.empty(); // http:, https:, mailto: are not checked here
        }
        String where = PROJECT.relativize(document) + " -> " + target;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return Optional.of(where + ": no such file");
        }
        if (hash < 0) {
            return Optional.empty();
        }
        String anchor = target.substring(hash + 1);
        if (!resolved.toString().endsWith(".md")) {
            return Optional.of(where + ": an anchor into a file that is not Markdown");
        }
        Set<String> anchors = Markdown.read(resolved).anchors();
        return anchors.contains(anchor) ? Optional.empty()
            : Optional.of(where + ": no heading with anchor '" + anchor + "' (there are " + anchors + ")");
    }

    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(PROJECT.resolve("README.md"));
        try (Stream<Path> files = Files.list(DOCS)) {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        assertThat(documents).as("README.md and docs/*.md").hasSizeGreaterThan(5);
        return documents;
    }

    // ---- issue numbers

    private static List<Path> filesCheckedForIssueNumbers() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : CHECKED_FOR_ISSUE_NUMBERS) {
            Path start = PROJECT.resolve(name);
            if (!Files.exists(start)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(start)) {
                walk.filter(Files::isRegularFile)
                    .filter(file -> !PROJECT.relativize(file).toString().replace('\\', '/').matches("(.*/)?target/.*"))
                    .forEach(files::add);
            }
        }
        assertThat(files).as("files checked for issue numbers").hasSizeGreaterThan(50);
        return files;
    }

    // ---- what the code accepts, read from its source

    /** The initializer of {@code static final ... NAME = ...;} in a Java source file. */
    private static String constant(Path source, String name) throws IOException {
        Matcher matcher = Pattern.compile("static final [^=;]*\\b" + name + "\\s*=\\s*([^;]*);").matcher(read(source));
        assertThat(matcher.find()).as("constant " + name + " in " + PROJECT.relativize(source)).isTrue();
        return matcher.group(1);
    }

    private static Set<String> quotedStrings(String javaText) {
        Set<String> strings = new LinkedHashSet<>();
        Matcher matcher = Pattern.compile("\"([^\"]*)\"").matcher(javaText);
        while (matcher.find()) {
            strings.add(matcher.group(1));
        }
        return strings;
    }

    /**
     * Each {@code X_ATTRIBUTES = List.of(...)} of the route parser: the attributes element
     * {@code <x>} accepts (the parser refuses any attribute not in its element's list).
     */
    private static Map<String, Set<String>> routeFileAttributes() throws IOException {
        Map<String, Set<String>> attributes = new LinkedHashMap<>();
        Pattern list = Pattern.compile("static final List<String> ([A-Z]+)_ATTRIBUTES\\s*=\\s*List\\.of\\(([^;]*)\\);");
        for (Path source : routeSources()) {
            Matcher matcher = list.matcher(read(source));
            while (matcher.find()) {
                attributes.put(matcher.group(1).toLowerCase(Locale.ROOT), quotedStrings(matcher.group(2)));
            }
        }
        return attributes;
    }

    /**
     * The element names of the route file: the parser's {@code *_ELEMENT} constants (the root and
     * {@code <route>}) and the child elements {@code RouteElementReader} switches on.
     */
    private static Set<String> routeFileElements() throws IOException {
        Set<String> elements = new LinkedHashSet<>();
        for (Path source : routeSources()) {
            Matcher constants = Pattern.compile("static final String [A-Z_]*ELEMENT\\s*=\\s*\"([^\"]+)\"").matcher(read(source));
            while (constants.find()) {
                elements.add(constants.group(1));
            }
        }
        Matcher children = Pattern.compile("case \"([^\"]+)\":").matcher(read(ROUTES_SOURCES.resolve("RouteElementReader.java")));
        while (children.find()) {
            elements.add(children.group(1));
        }
        return elements;
    }

    private static List<Path> routeSources() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES_SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    // ---- the configuration reference

    /**
     * What is wrong with the table under {@code heading} of docs/configuration.md: every accepted
     * name needs a row whose first cell names it in code and whose "default" cell says something,
     * and every row must name something the code accepts.
     */
    private static List<String> undocumented(String heading, Set<String> accepted) {
        Map<String, String> defaults = Markdown.read(CONFIGURATION).tableDefaults(heading);
        String where = "docs/configuration.md, \"" + heading + "\": ";
        List<String> problems = new ArrayList<>();
        for (String name : accepted) {
            String value = defaults.get(name);
            if (value == null) {
                problems.add(where + "'" + name + "' has no row");
            } else if (!value.matches(".*[\\p{L}\\p{N}`].*")) {
                problems.add(where + "'" + name + "' has no default: '" + value + "'");
            }
        }
        for (String documented : defaults.keySet()) {
            if (!accepted.contains(documented)) {
                problems.add(where + "'" + documented + "' is documented but not accepted by the code");
            }
        }
        return problems;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** Just enough Markdown to find headings (with GitHub's anchors), links and tables. */
    static final class Markdown {
        private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
        private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
        private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

        /** The lines outside fenced code blocks; a fence line itself becomes blank. */
        private final List<String> lines;

        private Markdown(List<String> lines) {
            this.lines = lines;
        }

        static Markdown read(Path file) {
            try {
                List<String> prose = new ArrayList<>();
                boolean fenced = false;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    boolean fence = line.trim().startsWith("```") || line.trim().startsWith("~~~");
                    fenced = fence != fenced;
                    prose.add(fence || fenced ? "" : line);
                }
                return new Markdown(prose);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        }

        /** Link targets, code spans left out (a link's text may hold code, its target may not). */
        List<String> links() {
            List<String> targets = new ArrayList<>();
            for (String line : lines) {
                Matcher matcher = LINK.matcher(CODE_SPAN.matcher(line).replaceAll("code"));
                while (matcher.find()) {
                    targets.add(matcher.group(1));
                }
            }
            return targets;
        }

        /** The anchors GitHub gives the headings, "-1", "-2" ... for repeated ones. */
        Set<String> anchors() {
            Set<String> anchors = new LinkedHashSet<>();
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (String line : lines) {
                Matcher matcher = HEADING.matcher(line);
                if (matcher.matches()) {
                    String slug = slug(matcher.group(2));
                    int count = seen.merge(slug, 1, Integer::sum);
                    anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
                }
            }
            return anchors;
        }

        /**
         * GitHub's heading anchor: the text as rendered (code without backticks, links as their
         * text), lower case, punctuation dropped, each space a hyphen.
         */
        static String slug(String heading) {
            String rendered = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
            return rendered.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc}\\- ]", "")
                .replace(' ', '-');
        }

        /** The text from the heading (code-free text equal to {@code title}) to the next heading. */
        String section(String title) {
            StringBuilder text = new StringBuilder();
            boolean inside = false;
            for (String line : lines) {
                Matcher matcher = HEADING.matcher(line);
                if (matcher.matches()) {
                    if (inside) {
                        break;
                    }
                    inside = matcher.group(2).replace("`", "").equals(title);
                } else if (inside) {
                    text.append(line).append('\n');
                }
            }
            assertThat(inside).as("a heading \"" + title + "\"").isTrue();
            return "\n" + text;
        }

        /**
         * The rows of the first table in the section {@code title}: the first code span of each
         * row's first cell, mapped to the row's cell under the "default" column.
         */
        Map<String, String> tableDefaults(String title) {
            List<List<String>> table = new ArrayList<>();
            for (String line : section(title).split("\n")) {
                if (line.trim().startsWith("|")) {
                    table.add(cells(line));
                } else if (!table.isEmpty()) {
                    break;
                }
            }
            assertThat(table).as("a table under \"" + title + "\"").hasSizeGreaterThan(2);
            int column = table.get(0).stream().map(cell -> cell.toLowerCase(Locale.ROOT)).collect(Collectors.toList()).indexOf("default");
            assertThat(column).as("a \"default\" column under \"" + title + "\"").isPositive();
            Map<String, String> defaults = new LinkedHashMap<>();
            for (List<String> row : table.subList(2, table.size())) {
                Matcher code = CODE_SPAN.matcher(row.get(0));
                if (code.find()) {
                    String name = code.group().substring(1, code.group().length() - 1);
                    defaults.put(name, row.size() > column ? row.get(column) : "");
                }
            }
            return defaults;
        }

        /** A table row's cells, trimmed; a '|' inside a code span or escaped does not split. */
        private static List<String> cells(String row) {
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean code = false;
            String text = row.trim();
            for (int i = text.startsWith("|") ? 1 : 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '`') {
                    code = !code;
                } else if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '|') {
                    cell.append('|');
                    i++;
                    continue;
                } else if (c == '|' && !code) {
                    cells.add(cell.toString().trim());
                    cell.setLength(0);
                    continue;
                }
                cell.append(c);
            }
            if (cell.length() > 0) {
                cells.add(cell.toString().trim());
            }
            return cells;
        }
    }
}
