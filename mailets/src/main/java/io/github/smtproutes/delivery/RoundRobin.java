package io.github.smtproutes.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round-robin positions of host groups. Each call to {@link #rotate} for a group moves its
 * start host one step, so that equal-priority hosts share the deliveries evenly ("based on SMTP
 * connections", as the ESA puts it). Positions are keyed by the group's hosts, so a route reload
 * that keeps a group keeps its position. Thread-safe; one instance serves the whole James.
 */
public final class RoundRobin {
    private final ConcurrentHashMap<String, AtomicLong> positions = new ConcurrentHashMap<>();

    /** The group's members, starting at the next position: [a,b,c] then [b,c,a] then [c,a,b]. */
    public <T> List<T> rotate(String groupKey, List<T> group) {
        if (group.size() < 2) {
            return group;
        }
        long position = positions.computeIfAbsent(groupKey, key -> new AtomicLong()).getAndIncrement();
        return rotatedFrom(position, group);
    }

    /** What the next {@link #rotate} of this group will return, without moving its position (WebAdmin's plan preview). */
    public <T> List<T> peek(String groupKey, List<T> group) {
        if (group.size() < 2) {
            return group;
        }
        AtomicLong position = positions.get(groupKey);
        return rotatedFrom(position == null ? 0 : position.get(), group);
    }

    private static <T> List<T> rotatedFrom(long position, List<T> group) {
        int start = (int) Math.floorMod(position, (long) group.size());
        List<T> rotated = new ArrayList<>(group.size());
        rotated.addAll(group.subList(start, group.size()));
        rotated.addAll(group.subList(0, start));
        return rotated;
    }
}
