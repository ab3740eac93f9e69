package io.github.smtproutes;

import java.util.Collection;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

import io.github.smtproutes.routes.RouteFileException;

/**
 * Matcher: the recipients whose domain has an SMTP route. Recipients of other domains go on to
 * the next mailet (stock RemoteDelivery, for instance). The condition may name a route file
 * ({@code HasSmtpRoute=file://conf/other-routes.xml}); the default is
 * {@code file://conf/smtproutes.xml}. It reads the same live table as the mailet.
 */
public class HasSmtpRoute extends GenericMatcher {
    private final SmtpRoutes smtpRoutes;
    private LiveRouteTable table;

    @Inject
    public HasSmtpRoute(SmtpRoutes smtpRoutes) {
        this.smtpRoutes = smtpRoutes;
    }

    @Override
    public void init() throws MessagingException {
        try {
            table = smtpRoutes.table(SmtpRoutes.routeFileLocation(getCondition()));
        } catch (RouteFileException e) {
            throw new MessagingException("Matcher HasSmtpRoute: " + e.getMessage(), e);
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        var routes = table.current();
        return mail.getRecipients().stream()
            .filter(recipient -> routes.routeFor(recipient.getDomain().asString()).isPresent())
            .collect(Collectors.toList());
    }

    @Override
    public String getMatcherInfo() {
        return "HasSmtpRoute: recipients whose domain has an SMTP route";
    }
}
