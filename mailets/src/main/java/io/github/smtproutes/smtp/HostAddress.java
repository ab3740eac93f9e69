package io.github.smtproutes.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A destination host resolved to one IP address: the name as configured (kept for TLS host-name
 * checks and logs), the address to connect to, and the port.
 */
public final class HostAddress {
    private final String hostName;
    private final InetAddress address;
    private final int port;

    public HostAddress(String hostName, InetAddress address, int port) {
        this.hostName = Objects.requireNonNull(hostName);
        this.address = Objects.requireNonNull(address);
        this.port = port;
    }

    public String hostName() {
        return hostName;
    }

    public InetAddress address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The IP address as text, without brackets. */
    public String ip() {
        return address.getHostAddress();
    }

    /** "ip:port", IPv6 in brackets: the key of a host's health and connection pool. */
    public String endpoint() {
        return (address instanceof Inet6Address ? "[" + ip() + "]" : ip()) + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HostAddress)) {
            return false;
        }
        HostAddress that = (HostAddress) o;
        return port == that.port && hostName.equals(that.hostName) && address.equals(that.address);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, address, port);
    }

    @Override
    public String toString() {
        return hostName.equals(ip()) ? endpoint() : hostName + "(" + endpoint() + ")";
    }
}
