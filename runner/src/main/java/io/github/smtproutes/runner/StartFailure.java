package io.github.smtproutes.runner;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads why James did not start from its console log, as one line for the user. James logs
 * "Fatal error while starting James" followed by the exception chain; the extension's own
 * exception in that chain (e.g. a RouteFileException naming the file, the route and the problem)
 * says what is wrong, while the exceptions wrapped around it only name the James component that
 * happened to load the file first (e.g. "Unable to init matcher ...IsInboundRoute"), so they are
 * left out. Without an extension exception, the innermost one is taken. Pure: unit-tested on
 * real console output.
 */
final class StartFailure {
    static final String FATAL = "Fatal error while starting James";
    private static final String EXTENSION_PACKAGE = "io.github.smtproutes.";
    /** "pkg.SomeException: message", possibly after "Caused by: " or "Wrapped by: ". */
    private static final Pattern EXCEPTION = Pattern.compile(
        "^(?:Caused by: |Wrapped by: )?((?:[\\w$]+\\.)+[\\w$]*(?:Exception|Error|Throwable)): (.*)$");
    /** A logback line of the console pattern "HH:mm:ss.SSS [LEVEL] ...", which ends an exception chain. */
    private static final Pattern LOG_LINE = Pattern.compile("^\\d{2}:\\d{2}:\\d{2}\\.\\d{3} \\[.*");

    private StartFailure() {
    }

    /**
     * The cause of the failed start, in one line, or empty when the console holds no fatal
     * error (James crashed or hung instead). The extension's messages are given as they are,
     * other exceptions with their simple class name (e.g. "BindException: Address already in use").
     */
    static Optional<String> cause(List<String> consoleLines) {
        int fatal = lastIndexOfFatal(consoleLines);
        if (fatal < 0) {
            return Optional.empty();
        }
        String innermost = null;
        String extension = null;
        for (String line : consoleLines.subList(fatal + 1, consoleLines.size())) {
            if (LOG_LINE.matcher(line).matches()) {
                break;
            }
            Matcher exception = EXCEPTION.matcher(line.trim());
            if (!exception.matches()) {
                continue;
            }
            String className = exception.group(1);
            String message = exception.group(2).trim();
            if (className.startsWith(EXTENSION_PACKAGE) && extension == null) {
                extension = message;
            }
            boolean causedBy = line.trim().startsWith("Caused by: ");
            if (innermost == null || causedBy) {
                // Root cause first (%rEx, the shipped pattern): the first line is the innermost;
                // outermost first (%ex): the last "Caused by" is.
                innermost = simpleName(className) + ": " + message;
            }
        }
        return Optional.ofNullable(extension != null ? extension : innermost);
    }

    private static int lastIndexOfFatal(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains(FATAL)) {
                return i;
            }
        }
        return -1;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
