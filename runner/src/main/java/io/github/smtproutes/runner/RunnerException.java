package io.github.smtproutes.runner;

/**
 * A problem the runner explains to the user in one message (a busy port, a missing build, a
 * James that did not start) instead of a stack trace.
 */
class RunnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunnerException(String message) {
        super(message);
    }

    RunnerException(String message, Throwable cause) {
        super(message, cause);
    }
}
