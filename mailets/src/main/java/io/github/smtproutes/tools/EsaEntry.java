package io.github.smtproutes.tools;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One line of an ESA route export, as the tools read and write it: a route (its domain as
 * written, its destinations as written) or a comment. Routes read from a route file also carry
 * the settings that have no ESA form ({@link #unexportable()}), so that export can name them.
 * Uses the JDK only: the tools run with {@code java -cp smtp-routes.jar}.
 */
final class EsaEntry {
    private final String comment;
    private final String domain;
    private final List<Destination> destinations;
    private final List<String> unexportable;

    private EsaEntry(String comment, String domain, List<Destination> destinations, List<String> unexportable) {
        this.comment = comment;
        this.domain = domain;
        this.destinations = List.copyOf(destinations);
        this.unexportable = List.copyOf(unexportable);
    }

    static EsaEntry comment(String text) {
        return new EsaEntry(text, null, List.of(), List.of());
    }

    static EsaEntry route(String domain, List<Destination> destinations, List<String> unexportable) {
        return new EsaEntry(null, domain, destinations, unexportable);
    }

    boolean isComment() {
        return comment != null;
    }

    /** The comment's text after {@code #}, when {@link #isComment()}. */
    String commentText() {
        return comment;
    }

    String domain() {
        return domain;
    }

    List<Destination> destinations() {
        return destinations;
    }

    /** Route-file settings with no ESA form, described for the admin, e.g. {@code tls="required"}. */
    List<String> unexportable() {
        return unexportable;
    }

    /** One destination as written: {@code host}, {@code host:port}, {@code USEDNS} or {@code /dev/null}, with an optional priority. */
    static final class Destination {
        private final String host;
        private final OptionalInt priority;

        Destination(String host, OptionalInt priority) {
            this.host = host;
            this.priority = priority;
        }

        String host() {
            return host;
        }

        OptionalInt priority() {
            return priority;
        }

        /** The ESA form: {@code host[:port][/pri=N]}. */
        String esaForm() {
            return host + (priority.isPresent() ? "/pri=" + priority.getAsInt() : "");
        }

        Optional<String> keyword() {
            return EsaSyntax.isKeyword(host) ? Optional.of(host) : Optional.empty();
        }
    }
}
