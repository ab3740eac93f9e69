package io.github.smtproutes.routes;

/**
 * Says why a route file was refused. The message is meant for the administrator as is: it names
 * the file, then the route, host or attribute at fault, e.g. {@code conf/smtproutes.xml: route
 * 'example.com': host '10.0.0.1:99999': port must be 1..65535}. It never contains a password.
 */
public class RouteFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public RouteFileException(String message) {
        super(message);
    }

    public RouteFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
