package io.github.smtproutes.routes;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.xml.sax.SAXParseException;

/**
 * Reads a route file ({@code smtproutes.xml}) into a {@link RouteTable}. The file is parsed with
 * commons-configuration2, like James's own configuration, then its element tree is walked
 * strictly: unknown elements or attributes, bad values and duplicate domains are refused with one
 * message naming the file, the route and the host or attribute at fault. A file is loaded whole or
 * not at all.
 */
public final class RouteFileParser {
    private static final String ROOT_ELEMENT = "smtproutes";
    private static final String ROUTE_ELEMENT = "route";

    private final Function<String, String> environment;

    /** A parser that reads {@code passwordEnv} variables from the process environment. */
    public RouteFileParser() {
        this(System::getenv);
    }

    /** A parser that reads {@code passwordEnv} variables from {@code environment}, for tests. */
    public RouteFileParser(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * Reads a whole route file.
     *
     * @param xml the file's content; not closed
     * @param sourceName how messages name the file, e.g. {@code conf/smtproutes.xml}
     * @param baseDirectory the directory relative {@code passwordFile} paths are resolved against,
     *     normally the route file's directory; null refuses relative password files
     * @throws RouteFileException if anything in the file is wrong; nothing is loaded then
     */
    public RouteTable parse(InputStream xml, String sourceName, Path baseDirectory) throws RouteFileException {
        Objects.requireNonNull(xml, "xml");
        Objects.requireNonNull(sourceName, "sourceName");
        ImmutableNode root = load(xml, sourceName);
        checkRoot(root, sourceName);
        RouteElementReader reader = new RouteElementReader(sourceName, new PasswordReader(baseDirectory, environment));
        List<Route> routes = new ArrayList<>();
        for (ImmutableNode element : root.getChildren()) {
            requireRouteElement(element, sourceName);
            Route route = reader.read(element, routes.size() + 1);
            rejectDuplicate(route, routes, sourceName);
            routes.add(route);
        }
        return RouteTable.of(sourceName, routes);
    }

    private static void checkRoot(ImmutableNode root, String sourceName) throws RouteFileException {
        if (!ROOT_ELEMENT.equals(root.getNodeName())) {
            throw new RouteFileException(sourceName + ": root element must be <" + ROOT_ELEMENT + ">, found <"
                + root.getNodeName() + ">");
        }
        ElementAttributes.of(root, sourceName, List.of());
        Elements.rejectText(root, sourceName);
    }

    private static void requireRouteElement(ImmutableNode element, String sourceName) throws RouteFileException {
        if (!ROUTE_ELEMENT.equals(element.getNodeName())) {
            throw new RouteFileException(sourceName + ": unknown element <" + element.getNodeName()
                + "> inside <" + ROOT_ELEMENT + "> (allowed: <" + ROUTE_ELEMENT + ">)");
        }
    }

    private static void rejectDuplicate(Route route, List<Route> earlier, String sourceName) throws RouteFileException {
        for (int index = 0; index < earlier.size(); index++) {
            if (earlier.get(index).domain().equals(route.domain())) {
                throw new RouteFileException(sourceName + ": route '" + route.domain() + "' is defined twice (routes #"
                    + (index + 1) + " and #" + (earlier.size() + 1) + "; domains are case-insensitive)");
            }
        }
    }

    private static ImmutableNode load(InputStream xml, String sourceName) throws RouteFileException {
        XMLConfiguration configuration = new XMLConfiguration();
        configuration.setDocumentBuilder(SafeXml.documentBuilder());
        try {
            new FileHandler(configuration).load(xml);
        } catch (ConfigurationException e) {
            throw new RouteFileException(sourceName + ": " + describe(e), e);
        }
        return configuration.getNodeModel().getNodeHandler().getRootNode();
    }

    private static String describe(ConfigurationException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SAXParseException) {
                SAXParseException parse = (SAXParseException) cause;
                return "malformed XML at line " + parse.getLineNumber() + ", column " + parse.getColumnNumber()
                    + ": " + parse.getMessage();
            }
        }
        return "cannot read XML: " + failure.getMessage();
    }
}
