package io.github.smtproutes.routes;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The keywords route files use for the constants of an enum (the constant's name in lower case,
 * e.g. {@code opportunistic}, {@code callahead}, {@code tempfail}), read ignoring case, with one
 * error message that names every accepted keyword.
 */
final class Keywords {
    private Keywords() {
    }

    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted keywords */
    static <E extends Enum<E>> E parse(Class<E> type, String text) {
        Objects.requireNonNull(text, "text");
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equalsIgnoreCase(text.trim())) {
                return constant;
            }
        }
        String accepted = Arrays.stream(type.getEnumConstants()).map(Keywords::of).collect(Collectors.joining("|"));
        throw new IllegalArgumentException("must be one of " + accepted + ", got '" + text + "'");
    }
}
