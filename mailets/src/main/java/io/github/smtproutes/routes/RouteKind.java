package io.github.smtproutes.routes;

/**
 * What a route does with the mail it matches: relay it to the route's listed hosts, look up the
 * recipient domain's MX records as if there were no route ({@code USEDNS}), or drop it
 * ({@code /dev/null}).
 */
public enum RouteKind {
    /** Relay to {@link Route#hosts()}, by priority group, round-robin within a group. */
    HOSTS,
    /** Deliver by the recipient domain's MX records, written {@code USEDNS} in route files. */
    USEDNS,
    /** Accept and silently drop the mail, written {@code /dev/null} in route files. */
    DISCARD
}
