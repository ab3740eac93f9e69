package io.github.smtproutes.routes;

import java.util.Objects;

/**
 * The SMTP AUTH credentials a route presents to its destination hosts, with a note of where the
 * password came from ({@code file /abs/path} or {@code env NAME}) so that problems can be reported
 * without ever showing the password itself. {@link #toString()} redacts the password.
 */
public final class RouteAuth {
    private final String user;
    private final String password;
    private final String passwordSource;

    private RouteAuth(String user, String password, String passwordSource) {
        this.user = user;
        this.password = password;
        this.passwordSource = passwordSource;
    }

    /**
     * @param passwordSource where the password was read, for messages: {@code "file /abs/path"},
     *     {@code "env NAME"}, or anything else that does not reveal the password
     * @throws IllegalArgumentException if the user is blank or the password empty
     */
    public static RouteAuth of(String user, String password, String passwordSource) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(passwordSource, "passwordSource");
        if (user.isBlank()) {
            throw new IllegalArgumentException("user is empty");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("password from " + passwordSource + " is empty");
        }
        return new RouteAuth(user, password, passwordSource);
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Where the password came from, e.g. {@code "file /etc/james/relay.pw"} or {@code "env RELAY_PW"}. */
    public String passwordSource() {
        return passwordSource;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RouteAuth)) {
            return false;
        }
        RouteAuth that = (RouteAuth) other;
        return user.equals(that.user) && password.equals(that.password) && passwordSource.equals(that.passwordSource);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, password, passwordSource);
    }

    @Override
    public String toString() {
        return "RouteAuth{user=" + user + ", password=<redacted>, source=" + passwordSource + "}";
    }
}
