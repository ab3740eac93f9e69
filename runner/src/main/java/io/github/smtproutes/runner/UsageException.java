package io.github.smtproutes.runner;

/** A command line the runner does not understand; reported with a pointer to {@code --help}. */
final class UsageException extends RunnerException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
