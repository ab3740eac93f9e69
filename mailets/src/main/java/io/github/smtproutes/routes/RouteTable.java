package io.github.smtproutes.routes;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * All routes of one route file, and the lookup of the route for a recipient domain. The most
 * specific route wins whatever the order in the file: an exact domain, then the longest matching
 * {@code .suffix}, then {@code ALL}. Immutable; a new file makes a new table.
 */
public final class RouteTable {
    private final String source;
    private final List<Route> routes;
    private final Map<String, Route> exactRoutes = new HashMap<>();
    private final Map<String, Route> suffixRoutes = new HashMap<>();
    private final Optional<Route> defaultRoute;

    private RouteTable(String source, List<Route> routes) {
        this.source = source;
        this.routes = List.copyOf(routes);
        Route all = null;
        for (Route route : this.routes) {
            if (route.isDefault()) {
                all = route;
            } else if (route.domain().startsWith(".")) {
                suffixRoutes.put(route.domain(), route);
            } else {
                exactRoutes.put(route.domain(), route);
            }
        }
        this.defaultRoute = Optional.ofNullable(all);
    }

    /** A table without routes, read from {@code source}. */
    public static RouteTable empty(String source) {
        return of(source, List.of());
    }

    /**
     * A table of {@code routes} in the given order.
     *
     * @param source where the routes were read, e.g. the route file's path
     * @throws IllegalArgumentException if two routes have the same domain
     */
    public static RouteTable of(String source, List<Route> routes) {
        Objects.requireNonNull(source, "source");
        Map<String, Route> byDomain = new HashMap<>();
        for (Route route : routes) {
            if (byDomain.putIfAbsent(route.domain(), route) != null) {
                throw new IllegalArgumentException(source + ": route '" + route.domain() + "' is defined twice");
            }
        }
        return new RouteTable(source, routes);
    }

    /**
     * The route for mail to {@code domain}, ignoring case: the route for exactly that domain,
     * otherwise the longest {@code .suffix} the domain ends with, otherwise {@code ALL}; empty
     * if none applies. A trailing dot on {@code domain} is ignored.
     */
    public Optional<Route> routeFor(String domain) {
        String name = normalize(domain);
        Route exact = exactRoutes.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        return longestSuffixRoute(name).or(() -> defaultRoute);
    }

    /** The routes in file order. */
    public List<Route> routes() {
        return routes;
    }

    /** Where the routes were read, e.g. {@code conf/smtproutes.xml}. */
    public String source() {
        return source;
    }

    public boolean isEmpty() {
        return routes.isEmpty();
    }

    /** Tries {@code .b.c.d}, then {@code .c.d}, then {@code .d} for {@code a.b.c.d}: longest first. */
    private Optional<Route> longestSuffixRoute(String name) {
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            Route route = suffixRoutes.get(name.substring(dot));
            if (route != null) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    private static String normalize(String domain) {
        String name = Objects.requireNonNull(domain, "domain").trim().toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RouteTable)) {
            return false;
        }
        RouteTable that = (RouteTable) other;
        return source.equals(that.source) && routes.equals(that.routes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, routes);
    }

    @Override
    public String toString() {
        return "RouteTable{source=" + source + ", routes=" + routes + "}";
    }
}
