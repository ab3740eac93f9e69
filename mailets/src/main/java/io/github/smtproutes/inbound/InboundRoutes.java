package io.github.smtproutes.inbound;

import java.util.Optional;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.LiveRouteTable;
import io.github.smtproutes.routes.Route;

/**
 * The one rule of inbound gateway mode, shared by the SMTP RCPT hook and the mailet-container
 * matcher so that both always agree: a recipient is "inbound" when the route that would carry
 * its mail (the most specific one, as delivery picks it) says {@code inbound="true"}. An exact
 * outbound-only route therefore wins over an inbound {@code .partial} one, and {@code ALL} is
 * never inbound (the route file parser refuses it), so this rule can never open the relay to
 * every domain.
 */
final class InboundRoutes {
    private final LiveRouteTable table;

    InboundRoutes(LiveRouteTable table) {
        this.table = table;
    }

    boolean isInbound(MailAddress recipient) {
        return inboundRoute(recipient).isPresent();
    }

    /** The route that makes {@code recipient} inbound; empty when the recipient is not inbound. */
    Optional<Route> inboundRoute(MailAddress recipient) {
        if (recipient == null || recipient.isNullSender()) {
            return Optional.empty();
        }
        return table.current().routeFor(recipient.getDomain().asString()).filter(Route::inbound);
    }
}
