package io.github.smtproutes.inbound;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.verify.RecipientVerifier;

/**
 * SMTP RCPT hook of inbound gateway mode: accepts, from any client, recipients whose SMTP route
 * is {@code inbound="true"}, and leaves every other recipient to James's own rules. Configured in
 * {@code smtpserver.xml}'s {@code <handlerchain>}:
 *
 * <pre>
 * &lt;handler class="io.github.smtproutes.inbound.InboundRouteRcptHook"&gt;
 *     &lt;routes&gt;file://conf/smtproutes.xml&lt;/routes&gt;   (optional; this is the default)
 *     &lt;callAhead&gt;...&lt;/callAhead&gt;                   (optional; see CallAheadSettings)
 * &lt;/handler&gt;
 * </pre>
 *
 * <p>On a route with {@code verifyRecipients="callahead"}, an inbound recipient is accepted only
 * once the route's own hosts accept it ({@link CallAheadCheck}).
 *
 * <p>James runs the hooks of the handler chain in order, and the first hook answering OK ends the
 * RCPT checks. Handlers listed in the chain come before James's core hooks (the core package is
 * appended after them), so this hook runs before {@code AuthRequiredToRelayRcptHook}, the hook
 * that refuses non-local domains to unauthenticated outsiders. It reads the same live route
 * table as the {@code HasSmtpRoute} matcher and the delivery mailet (one {@link SmtpRoutes}).
 *
 * <p>Before any of that, {@link AddressHygiene} refuses addresses no route should carry: a
 * sender or recipient with a control character (at MAIL and again at RCPT, for any client), and
 * an inbound recipient whose local part is quoted or holds {@code @ % !} or a backslash.
 */
public class InboundRouteRcptHook implements RcptHook, MailHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(InboundRouteRcptHook.class);

    private final SmtpRoutes smtpRoutes;
    private final CallAheadCheck callAhead;
    private InboundRoutes inboundRoutes;

    @Inject
    public InboundRouteRcptHook(SmtpRoutes smtpRoutes, RecipientVerifier verifier) {
        this.smtpRoutes = smtpRoutes;
        this.callAhead = new CallAheadCheck(verifier);
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        String location = SmtpRoutes.routeFileLocation(config.getString("routes", null));
        try {
            inboundRoutes = new InboundRoutes(smtpRoutes.table(location));
        } catch (RouteFileException e) {
            throw new ConfigurationException("InboundRouteRcptHook: " + e.getMessage(), e);
        }
        callAhead.configure(config, "InboundRouteRcptHook (" + location + ")");
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        // Refused at MAIL already, so that no later hook or mailet ever sees the address.
        return AddressHygiene.checkSender(sender).orElse(HookResult.DECLINED);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        Optional<Route> route = inboundRoutes.inboundRoute(rcpt);
        boolean inbound = route.isPresent();
        Optional<HookResult> refusal = AddressHygiene.checkSender(sender)
            .or(() -> AddressHygiene.checkRecipient(rcpt, inbound));
        if (refusal.isPresent()) {
            LOGGER.info("RCPT {} refused: {}", MailLog.escape(rcpt.asString()), refusal.get().getSmtpDescription());
            return refusal.get();
        }
        if (inbound) {
            // The organisation's own domain: anyone on the internet may send to it (that is what
            // an inbound gateway is for). OK ends the RCPT checks, so the relay check never sees it.
            LOGGER.debug("RCPT {}: its SMTP route is inbound", MailLog.escape(rcpt.asString()));
            // Last: with verifyRecipients="callahead", the route's own hosts say whether they take it.
            return callAhead.check(session, route.get(), rcpt);
        }
        // Outbound-only and unrouted domains: James's normal relay rules decide (authenticated
        // users and authorised networks only), so James never becomes an open relay.
        return HookResult.DECLINED;
    }
}
