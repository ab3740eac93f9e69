package io.github.smtproutes.tools;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import io.github.smtproutes.log.ControlCharacters;
import io.github.smtproutes.routes.SafeXml;

/**
 * The route-file side of the ESA tools, with the JDK's DOM only (no James jars are needed):
 * writes entries as {@code smtproutes.xml}, and reads a route file back into entries, noting for
 * each route the settings that have no ESA form (route attributes other than {@code domain},
 * {@code <retry>}, {@code <auth>}) instead of dropping them silently, with their values escaped
 * as in XML so that none can spill onto a line of its own. Comments directly inside
 * {@code <smtproutes>} map to {@code #} lines and back.
 */
final class RouteXml {
    private RouteXml() {
    }

    static String write(List<EsaEntry> entries) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<smtproutes>\n");
        for (EsaEntry entry : entries) {
            if (entry.isComment()) {
                xml.append("    <!--").append(entry.commentText()).append("-->\n");
                continue;
            }
            xml.append("    <route domain=\"").append(escape(entry.domain())).append("\">\n");
            for (EsaEntry.Destination destination : entry.destinations()) {
                xml.append("        <host");
                destination.priority().ifPresent(priority -> xml.append(" priority=\"").append(priority).append('"'));
                xml.append('>').append(escape(destination.host())).append("</host>\n");
            }
            xml.append("    </route>\n");
        }
        return xml.append("</smtproutes>\n").toString();
    }

    /** Why a comment cannot become an XML comment, or null. */
    static String checkComment(String text) {
        if (text.contains("--") || text.endsWith("-")) {
            return "a comment cannot contain '--' or end with '-' (XML comments cannot hold them)";
        }
        if (ControlCharacters.containsAny(text.replace('\t', ' '))) {
            // A bare CR would be read back as a line break, and the text after it as a route.
            return "a comment cannot hold a control character (found " + ControlCharacters.escape(firstControl(text)) + ")";
        }
        return null;
    }

    private static String firstControl(String text) {
        for (char c : text.toCharArray()) {
            if (c != '\t' && ControlCharacters.isControl(c)) {
                return String.valueOf(c);
            }
        }
        return "";
    }

    static Reading read(InputStream xml, String source) throws IOException {
        Document document;
        try {
            document = SafeXml.documentBuilder().parse(xml);
        } catch (SAXParseException e) {
            return new Reading(List.of(), List.of(source + ":" + e.getLineNumber() + ": malformed XML: " + e.getMessage()));
        } catch (SAXException e) {
            return new Reading(List.of(), List.of(source + ": malformed XML: " + e.getMessage()));
        }
        Element root = document.getDocumentElement();
        if (!"smtproutes".equals(root.getTagName())) {
            return new Reading(List.of(), List.of(source + ": root element must be <smtproutes>, found <" + root.getTagName() + ">"));
        }
        List<EsaEntry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.COMMENT_NODE) {
                entries.add(EsaEntry.comment(child.getNodeValue()));
            } else if (child.getNodeType() == Node.ELEMENT_NODE) {
                readRoute((Element) child, source, entries, problems);
            } else if (child.getNodeType() == Node.TEXT_NODE && !child.getNodeValue().isBlank()) {
                problems.add(source + ": unexpected text '" + child.getNodeValue().trim() + "' in <smtproutes>");
            }
        }
        return new Reading(entries, problems);
    }

    private static void readRoute(Element route, String source, List<EsaEntry> entries, List<String> problems) {
        String domain = route.getAttribute("domain").trim();
        String where = source + ": route '" + domain + "': ";
        if (!"route".equals(route.getTagName())) {
            problems.add(source + ": unknown element <" + route.getTagName() + "> inside <smtproutes>");
            return;
        }
        List<String> routeProblems = new ArrayList<>();
        addIfProblem(routeProblems, domain.isEmpty() ? "attribute 'domain' is missing" : EsaSyntax.checkDomain(domain));
        List<String> unexportable = new ArrayList<>();
        describeAttributes(route, "domain").forEach(unexportable::add);
        List<EsaEntry.Destination> destinations = new ArrayList<>();
        for (Node child = route.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() != Node.ELEMENT_NODE) {
                continue;
            }
            Element element = (Element) child;
            if ("host".equals(element.getTagName())) {
                EsaEntry.Destination destination = readHost(element, routeProblems);
                if (destination != null) {
                    destinations.add(destination);
                }
            } else if ("retry".equals(element.getTagName()) || "auth".equals(element.getTagName())) {
                unexportable.add("<" + element.getTagName() + String.join("", describeAttributes(element, null).stream()
                    .map(attribute -> " " + attribute).toArray(String[]::new)) + "/>");
            } else {
                routeProblems.add("unknown element <" + element.getTagName() + ">");
            }
        }
        if (destinations.isEmpty() && routeProblems.isEmpty()) {
            routeProblems.add("no <host>");
        }
        routeProblems.forEach(problem -> problems.add(where + problem));
        if (routeProblems.isEmpty()) {
            entries.add(EsaEntry.route(domain, destinations, unexportable));
        }
    }

    private static EsaEntry.Destination readHost(Element host, List<String> problems) {
        String text = host.getTextContent().trim();
        String priority = host.getAttribute("priority").trim();
        if (EsaSyntax.isKeyword(text)) {
            return new EsaEntry.Destination(text, OptionalInt.empty());
        }
        String problem = EsaSyntax.checkHost(text);
        if (problem == null && !priority.isEmpty()) {
            problem = EsaSyntax.checkPriority(priority, text);
        }
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        return new EsaEntry.Destination(text, priority.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(priority)));
    }

    /** {@code name="value"} for each attribute except {@code skip}, in name order (as the DOM gives them). */
    private static List<String> describeAttributes(Element element, String skip) {
        List<String> described = new ArrayList<>();
        NamedNodeMap attributes = element.getAttributes();
        for (int index = 0; index < attributes.getLength(); index++) {
            Node attribute = attributes.item(index);
            if (!attribute.getNodeName().equals(skip)) {
                described.add(attribute.getNodeName() + "=\"" + escapeAttribute(attribute.getNodeValue()) + "\"");
            }
        }
        return described;
    }

    private static void addIfProblem(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * An attribute value as it would be written in the route file: markup characters and control
     * characters as character references ({@code &#10;}), so that a value holding a line break
     * stays on its line when it is quoted in an export note.
     */
    static String escapeAttribute(String value) {
        StringBuilder escaped = new StringBuilder();
        for (char c : escape(value).toCharArray()) {
            if (ControlCharacters.isControl(c)) {
                escaped.append("&#").append((int) c).append(';');
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
