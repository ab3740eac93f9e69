package io.github.smtproutes.inbound;

import java.util.Collection;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.routes.RouteFileException;

/**
 * Matcher of inbound gateway mode: the recipients whose SMTP route is {@code inbound="true"}. In
 * the {@code transport} processor it sends them to the {@code relay} processor (where
 * {@code SmtpRouteDelivery} delivers them through their route) before the {@code relay-allowed}
 * check would send mail from outsiders to {@code relay-denied}. Other recipients go on to the next
 * mailet. The condition may name a route file
 * ({@code IsInboundRoute=file://conf/other-routes.xml}); the default is
 * {@code file://conf/smtproutes.xml}. It reads the same live table as the RCPT hook.
 */
public class IsInboundRoute extends GenericMatcher {
    private final SmtpRoutes smtpRoutes;
    private InboundRoutes inboundRoutes;

    @Inject
    public IsInboundRoute(SmtpRoutes smtpRoutes) {
        this.smtpRoutes = smtpRoutes;
    }

    @Override
    public void init() throws MessagingException {
        String location = SmtpRoutes.routeFileLocation(getCondition());
        try {
            inboundRoutes = new InboundRoutes(smtpRoutes.table(location));
        } catch (RouteFileException e) {
            throw new MessagingException("Matcher IsInboundRoute: " + e.getMessage(), e);
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getRecipients().stream()
            .filter(inboundRoutes::isInbound)
            .collect(Collectors.toList());
    }

    @Override
    public String getMatcherInfo() {
        return "IsInboundRoute: recipients whose SMTP route is inbound";
    }
}
