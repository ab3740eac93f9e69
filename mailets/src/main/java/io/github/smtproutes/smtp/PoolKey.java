package io.github.smtproutes.smtp;

import java.util.Objects;

import io.github.smtproutes.routes.Route;

/**
 * What makes two SMTP sessions interchangeable in the {@link ConnectionPool}: the same endpoint
 * and host name (the name TLS checks), and the same connection-relevant route settings: the
 * effective TLS mode, whether plain AUTH is allowed, and the AUTH user. A session opened for one
 * route's security is thus never handed to a route that asks for different security.
 */
final class PoolKey {
    private final String endpoint;
    private final String hostName;
    private final String tlsMode;
    private final boolean allowPlainAuth;
    private final String authUser;
    private final int hash;

    private PoolKey(String endpoint, String hostName, String tlsMode, boolean allowPlainAuth, String authUser) {
        this.endpoint = endpoint;
        this.hostName = hostName;
        this.tlsMode = tlsMode;
        this.allowPlainAuth = allowPlainAuth;
        this.authUser = authUser;
        this.hash = Objects.hash(endpoint, hostName, tlsMode, allowPlainAuth, authUser);
    }

    static PoolKey of(HostAddress host, Route route) {
        return new PoolKey(host.endpoint(), host.hostName(), TlsSettings.effectiveMode(route).name(), route.allowPlainAuth(),
            route.auth().map(auth -> auth.user()).orElse(""));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PoolKey)) {
            return false;
        }
        PoolKey that = (PoolKey) o;
        return allowPlainAuth == that.allowPlainAuth && endpoint.equals(that.endpoint) && hostName.equals(that.hostName)
            && tlsMode.equals(that.tlsMode) && authUser.equals(that.authUser);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        // The user name is not a secret, but keep keys out of logs anyway: endpoint and mode suffice.
        return endpoint + "/" + tlsMode;
    }
}
