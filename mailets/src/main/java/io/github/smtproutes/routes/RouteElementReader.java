package io.github.smtproutes.routes;

import static io.github.smtproutes.routes.Elements.at;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Turns one {@code <route>} element into a {@link Route}: its attributes, its {@code <host>}
 * elements (or its single {@code USEDNS} or {@code /dev/null}), and its optional {@code <retry>}
 * and {@code <auth>}. Every problem is reported with the file and the route it is in.
 */
final class RouteElementReader {
    private static final List<String> ROUTE_ATTRIBUTES = List.of(
        "domain", "possibleDelivery", "inbound", "tls", "allowPlainAuth", "allowUnverifiedAuth", "allowInboundUsedns",
        "maxConnectionsPerHost", "delayWarning", "verifyRecipients", "onVerifyFailure");
    private static final List<String> HOST_ATTRIBUTES = List.of("priority");
    private static final List<String> RETRY_ATTRIBUTES = List.of("initial", "max", "maxAttempts", "maxAge");
    private static final List<String> AUTH_ATTRIBUTES = List.of("user", "passwordFile", "passwordEnv");
    private static final String USEDNS = "USEDNS";
    private static final String DISCARD = "/dev/null";

    private final String source;
    private final PasswordReader passwords;

    RouteElementReader(String source, PasswordReader passwords) {
        this.source = source;
        this.passwords = passwords;
    }

    /** Reads the {@code position}-th (from 1) {@code <route>} of the file. */
    Route read(ImmutableNode element, int position) throws RouteFileException {
        String location = locationOf(element, position);
        ElementAttributes attributes = ElementAttributes.of(element, location, ROUTE_ATTRIBUTES);
        String domain = attributes.required("domain");
        at(location, () -> DomainNames.normalizeRouteDomain(domain));
        RouteChildren children = RouteChildren.of(element, location);

        Route.Builder route = Route.builder(domain);
        readDestinations(children.hosts, location, route);
        readOptions(attributes, route);
        if (children.retry != null) {
            route.retry(readRetry(children.retry, location));
        }
        if (children.auth != null) {
            route.auth(readAuth(children.auth, location));
        }
        return build(route);
    }

    private String locationOf(ImmutableNode element, int position) {
        Object domain = element.getAttributes().get("domain");
        boolean named = domain != null && !domain.toString().isBlank();
        return source + ": route " + (named ? "'" + domain.toString().trim() + "'" : "#" + position);
    }

    private void readDestinations(List<ImmutableNode> hosts, String location, Route.Builder route)
            throws RouteFileException {
        if (hosts.isEmpty()) {
            throw new RouteFileException(location + ": no <host>: a route needs at least one host, USEDNS or /dev/null");
        }
        for (ImmutableNode host : hosts) {
            String text = Elements.text(host);
            String hostLocation = location + ": host '" + text + "'";
            ElementAttributes attributes = ElementAttributes.of(host, hostLocation, HOST_ATTRIBUTES);
            Elements.rejectChildren(host, hostLocation);
            if (text.isEmpty()) {
                throw new RouteFileException(location + ": empty <host>: write a host name, IP address, USEDNS or /dev/null");
            }
            Optional<RouteKind> special = specialKind(text, hostLocation);
            if (special.isPresent()) {
                requireAlone(text, hosts.size(), attributes, hostLocation);
                route.kind(special.get());
            } else {
                int priority = attributes.integer("priority", 0, RouteHost.MAX_PRIORITY).orElse(RouteHost.DEFAULT_PRIORITY);
                route.host(at(hostLocation, () -> RouteHost.parse(text, priority)));
            }
        }
    }

    /** USEDNS or /dev/null, which replace the host list; refuses them with a port. */
    private static Optional<RouteKind> specialKind(String text, String hostLocation) throws RouteFileException {
        String lowercase = text.toLowerCase(Locale.ROOT);
        if (lowercase.equals("usedns")) {
            return Optional.of(RouteKind.USEDNS);
        }
        if (text.equals(DISCARD)) {
            return Optional.of(RouteKind.DISCARD);
        }
        if (lowercase.startsWith("usedns:") || text.startsWith(DISCARD + ":")) {
            throw new RouteFileException(hostLocation + ": a port is not allowed on " + keywordOf(text));
        }
        return Optional.empty();
    }

    private static void requireAlone(String text, int hostCount, ElementAttributes attributes, String hostLocation)
            throws RouteFileException {
        if (hostCount > 1) {
            throw new RouteFileException(hostLocation + ": " + keywordOf(text)
                + " must be the route's only host; it cannot be mixed with other hosts");
        }
        if (attributes.has("priority")) {
            throw new RouteFileException(hostLocation + ": attribute 'priority' is not allowed on " + keywordOf(text));
        }
    }

    private static String keywordOf(String text) {
        return text.startsWith(DISCARD) ? DISCARD : USEDNS;
    }

    private static void readOptions(ElementAttributes attributes, Route.Builder route) throws RouteFileException {
        route.possibleDelivery(attributes.bool("possibleDelivery", false))
            .inbound(attributes.bool("inbound", false))
            .tls(attributes.parsed("tls", TlsMode::parse).orElse(TlsMode.OPPORTUNISTIC))
            .allowPlainAuth(attributes.bool("allowPlainAuth", false))
            .allowUnverifiedAuth(attributes.bool("allowUnverifiedAuth", false))
            .allowInboundUsedns(attributes.bool("allowInboundUsedns", false));
        OptionalInt maxConnections =
            attributes.integer("maxConnectionsPerHost", 1, Route.MAX_CONNECTIONS_PER_HOST_LIMIT);
        maxConnections.ifPresent(route::maxConnectionsPerHost);
        attributes.duration("delayWarning").ifPresent(route::delayWarning);
        readVerification(attributes, route);
    }

    /** {@code verifyRecipients} and {@code onVerifyFailure}; the builder checks they fit the route. */
    private static void readVerification(ElementAttributes attributes, Route.Builder route) throws RouteFileException {
        attributes.parsed("verifyRecipients", RecipientVerification::parse).ifPresent(route::verifyRecipients);
        attributes.parsed("onVerifyFailure", VerifyFailureAction::parse).ifPresent(route::onVerifyFailure);
    }

    private static RetryOverrides readRetry(ImmutableNode element, String routeLocation) throws RouteFileException {
        String location = routeLocation + ": <retry>";
        ElementAttributes attributes = ElementAttributes.of(element, location, RETRY_ATTRIBUTES);
        Elements.rejectContent(element, location);
        RetryOverrides.Builder retry = RetryOverrides.builder();
        attributes.duration("initial").ifPresent(retry::initial);
        attributes.duration("max").ifPresent(retry::max);
        attributes.integer("maxAttempts", 1, RetryPolicy.MAX_ATTEMPTS_LIMIT).ifPresent(retry::maxAttempts);
        attributes.duration("maxAge").ifPresent(retry::maxAge);
        return at(location, retry::build);
    }

    private RouteAuth readAuth(ImmutableNode element, String routeLocation) throws RouteFileException {
        String location = routeLocation + ": <auth>";
        ElementAttributes attributes = ElementAttributes.of(element, location, AUTH_ATTRIBUTES);
        Elements.rejectContent(element, location);
        String user = attributes.required("user");
        Optional<String> file = attributes.optional("passwordFile");
        Optional<String> variable = attributes.optional("passwordEnv");
        if (file.isPresent() == variable.isPresent()) {
            throw new RouteFileException(location + ": give exactly one of passwordFile or passwordEnv"
                + (file.isPresent() ? ", not both" : ""));
        }
        return at(location, () -> file.isPresent()
            ? passwords.fromFile(user, file.get())
            : passwords.fromEnvironment(user, variable.get()));
    }

    /** The builder repeats the checks above; its messages already name the route. */
    private Route build(Route.Builder route) throws RouteFileException {
        return at(source, route::build);
    }

    /** The {@code <host>}, {@code <retry>} and {@code <auth>} children of a route, checked for strays. */
    private static final class RouteChildren {
        final List<ImmutableNode> hosts = new ArrayList<>();
        ImmutableNode retry;
        ImmutableNode auth;

        static RouteChildren of(ImmutableNode route, String location) throws RouteFileException {
            Elements.rejectText(route, location);
            RouteChildren children = new RouteChildren();
            for (ImmutableNode child : route.getChildren()) {
                children.add(child, location);
            }
            return children;
        }

        private void add(ImmutableNode child, String location) throws RouteFileException {
            switch (child.getNodeName()) {
                case "host":
                    hosts.add(child);
                    break;
                case "retry":
                    retry = onlyOne(retry, child, location);
                    break;
                case "auth":
                    auth = onlyOne(auth, child, location);
                    break;
                default:
                    throw new RouteFileException(location + ": unknown element <" + child.getNodeName()
                        + "> (allowed: <host>, <retry>, <auth>)");
            }
        }

        private static ImmutableNode onlyOne(ImmutableNode existing, ImmutableNode child, String location)
                throws RouteFileException {
            if (existing != null) {
                throw new RouteFileException(location + ": more than one <" + child.getNodeName() + ">");
            }
            return child;
        }
    }
}
