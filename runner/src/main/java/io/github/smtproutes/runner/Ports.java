package io.github.smtproutes.runner;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Chooses the loopback ports James listens on: a requested port is checked to be free, so that a
 * second runner fails with a clear message instead of a James bind error deep in its log; port 0
 * picks a free one. The check binds the way James's servers will bind, so it answers the same
 * question they will ask.
 */
final class Ports {
    private Ports() {
    }

    /** {@code requested} if it is free on 127.0.0.1, a free port if it is 0. */
    static int resolve(int requested, String option) {
        if (requested == 0) {
            return freePort();
        }
        if (!isFree(requested)) {
            throw new RunnerException("Port " + requested + " on 127.0.0.1 is in use (another James or ./run-james?): choose another with "
                + option + " N, or " + option + " 0 for any free port");
        }
        return requested;
    }

    static int freePort() {
        try (ServerSocket socket = bind(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new RunnerException("Cannot find a free port on 127.0.0.1", e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = bind(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        // SO_REUSEADDR, as James's listeners set it (Netty for SMTP, Jetty for WebAdmin, the JDK's
        // RMI server sockets for JMX): a connection of the last run still in TIME-WAIT does not
        // stop them binding, so it must not stop the check either. A port another process
        // listens on is refused all the same (Linux and BSD refuse a second listener).
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(LocalConf.LOOPBACK), port));
        return socket;
    }
}
