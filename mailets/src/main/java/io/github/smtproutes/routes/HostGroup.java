package io.github.smtproutes.routes;

import java.util.List;

/**
 * The hosts of one priority of a route, in file order: the unit of round-robin. Its key names the
 * route, the priority and the hosts, so a round-robin position survives a reload that keeps all
 * three and starts afresh when any changes.
 */
public final class HostGroup {
    private final int priority;
    private final List<RouteHost> hosts;
    private final String key;

    HostGroup(String routeDomain, int priority, List<RouteHost> hosts) {
        this.priority = priority;
        this.hosts = List.copyOf(hosts);
        this.key = routeDomain + "|" + priority + "|" + this.hosts;
    }

    public int priority() {
        return priority;
    }

    public List<RouteHost> hosts() {
        return hosts;
    }

    public String key() {
        return key;
    }
}
