package io.github.smtproutes.routes;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * The attributes of one element of a route file, read strictly: unknown attributes are refused
 * up front, values are trimmed, empty values are refused, and every problem becomes a
 * {@link RouteFileException} that starts with the element's location.
 */
final class ElementAttributes {
    private final String location;
    private final Map<String, String> values;

    private ElementAttributes(String location, Map<String, String> values) {
        this.location = location;
        this.values = values;
    }

    /**
     * Reads the attributes of {@code element}.
     *
     * @param location how messages name the element, e.g. {@code "conf/smtproutes.xml: route 'a.com'"}
     * @throws RouteFileException if the element has an attribute not in {@code allowed}
     */
    static ElementAttributes of(ImmutableNode element, String location, List<String> allowed)
            throws RouteFileException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> attribute : element.getAttributes().entrySet()) {
            if (!allowed.contains(attribute.getKey())) {
                throw new RouteFileException(location + ": unknown attribute '" + attribute.getKey() + "'"
                    + (allowed.isEmpty() ? " (<" + element.getNodeName() + "> takes no attributes)"
                        : " (allowed: " + String.join(", ", allowed) + ")"));
            }
            values.put(attribute.getKey(), String.valueOf(attribute.getValue()).trim());
        }
        return new ElementAttributes(location, values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Optional<String> optional(String name) throws RouteFileException {
        String value = values.get(name);
        if (value != null && value.isEmpty()) {
            throw problem(name, "is empty");
        }
        return Optional.ofNullable(value);
    }

    String required(String name) throws RouteFileException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            throw new RouteFileException(location + ": missing required attribute '" + name + "'");
        }
        return value.get();
    }

    /** Only {@code true} and {@code false} are accepted. */
    boolean bool(String name, boolean defaultValue) throws RouteFileException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get()) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw problem(name, "must be true or false, got '" + value.get() + "'");
        }
    }

    OptionalInt integer(String name, int min, int max) throws RouteFileException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        String range = min + ".." + max;
        if (!value.get().matches("-?[0-9]+")) {
            throw problem(name, "must be a whole number " + range + ", got '" + value.get() + "'");
        }
        long number = value.get().length() > 10 ? Long.MAX_VALUE : Long.parseLong(value.get());
        if (number < min || number > max) {
            throw problem(name, "must be " + range + ", got '" + value.get() + "'");
        }
        return OptionalInt.of((int) number);
    }

    Optional<Duration> duration(String name) throws RouteFileException {
        return parsed(name, Durations::parse);
    }

    /** Reads the attribute with {@code parser}, whose {@link IllegalArgumentException} says what is wrong. */
    <T> Optional<T> parsed(String name, Function<String, T> parser) throws RouteFileException {
        Optional<String> value = optional(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(value.get()));
        } catch (IllegalArgumentException e) {
            throw problem(name, e.getMessage());
        }
    }

    private RouteFileException problem(String name, String message) {
        return new RouteFileException(location + ": attribute '" + name + "': " + message);
    }
}
