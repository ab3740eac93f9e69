package io.github.smtproutes.runner;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.List;

/** Walks a command line option by option, turning bad values into {@link UsageException}s. */
final class ArgumentReader {
    private final Iterator<String> args;
    private String option;

    ArgumentReader(List<String> args) {
        this.args = args.iterator();
    }

    boolean hasNext() {
        return args.hasNext();
    }

    /** The next option name; its value, if any, is read with one of the value methods. */
    String nextOption() {
        option = args.next();
        return option;
    }

    String value() {
        if (!args.hasNext()) {
            throw new UsageException(option + " needs a value");
        }
        return args.next();
    }

    Path path() {
        return Paths.get(value()).toAbsolutePath().normalize();
    }

    int port() {
        int port = integer();
        if (port < 0 || port > 65535) {
            throw new UsageException(option + " needs a port number (0 picks a free one), got " + port);
        }
        return port;
    }

    int positive() {
        int number = integer();
        if (number < 1) {
            throw new UsageException(option + " needs a number of at least 1, got " + number);
        }
        return number;
    }

    UsageException unknown() {
        return new UsageException("unknown option " + option);
    }

    private int integer() {
        String text = value();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, got " + text);
        }
    }
}
