package io.github.smtproutes.routes;

import java.util.function.Supplier;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * Small checks on the elements of a route file shared by the parser classes: reading an
 * element's text, refusing text or child elements where none belong, and turning a model
 * class's {@link IllegalArgumentException} into a {@link RouteFileException} that says where.
 */
final class Elements {
    private Elements() {
    }

    /** The element's text, trimmed; empty if it has none. */
    static String text(ImmutableNode element) {
        Object value = element.getValue();
        return value == null ? "" : value.toString().trim();
    }

    static void rejectText(ImmutableNode element, String location) throws RouteFileException {
        String text = text(element);
        if (!text.isEmpty()) {
            throw new RouteFileException(location + ": unexpected text '" + text + "' in <" + element.getNodeName() + ">");
        }
    }

    static void rejectChildren(ImmutableNode element, String location) throws RouteFileException {
        if (!element.getChildren().isEmpty()) {
            throw new RouteFileException(location + ": unknown element <" + element.getChildren().get(0).getNodeName()
                + "> inside <" + element.getNodeName() + ">");
        }
    }

    /** Text and child elements both refused: for elements that only carry attributes. */
    static void rejectContent(ImmutableNode element, String location) throws RouteFileException {
        rejectChildren(element, location);
        rejectText(element, location);
    }

    /** Runs {@code step}, reporting its {@link IllegalArgumentException} as a problem at {@code location}. */
    static <T> T at(String location, Supplier<T> step) throws RouteFileException {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new RouteFileException(location + ": " + e.getMessage());
        }
    }
}
