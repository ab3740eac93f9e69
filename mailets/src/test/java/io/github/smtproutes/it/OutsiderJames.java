package io.github.smtproutes.it;

import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.DataProbeImpl;

/**
 * A test James for which the test client's own address (127.0.0.1) is NOT an authorised network,
 * so every unauthenticated connection is an outsider from the internet. The shipped
 * {@code authorizedAddresses} (127.0.0.0/8) is replaced by an address no test connects from.
 * Outsiders may still authenticate as {@link #USER}, once {@link #createUser} has run.
 */
public final class OutsiderJames {
    public static final String USER = "alice";
    public static final String PASSWORD = "alice-secret";

    private OutsiderJames() {
    }

    public static RoutesJames fromRepoConf() {
        return RoutesJames.fromRepoConf()
            .edit("smtpserver.xml", "<authorizedAddresses>127.0.0.0/8</authorizedAddresses>",
                "<authorizedAddresses>10.255.255.254/32</authorizedAddresses>");
    }

    /** Adds the James user that authenticated-client tests log in as. */
    public static void createUser(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).addUser(USER, PASSWORD);
    }
}
