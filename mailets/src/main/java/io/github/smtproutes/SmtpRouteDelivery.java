package io.github.smtproutes;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.github.smtproutes.delivery.Bouncer;
import io.github.smtproutes.delivery.HostPlanner;
import io.github.smtproutes.delivery.RouteDelivery;
import io.github.smtproutes.delivery.RoutedMailProcessor;
import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.routes.RetryPolicy;
import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.smtp.ClientSettings;
import io.github.smtproutes.smtp.SmtpHostClient;

/**
 * Mailet: delivers each routed recipient through its SMTP route, with priority groups,
 * round-robin and failover, and queues what no host took in a James mail repository. A thin
 * adapter: it reads its parameters and hands each mail to {@link RoutedMailProcessor}.
 */
public class SmtpRouteDelivery extends GenericMailet {
    static final String DEFAULT_RETRY_REPOSITORY = "memory://var/mail/smtp-routes/retry/";
    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<String> PARAMETERS = Set.of("routes", "retryRepository", "bounceProcessor",
        "connectionTimeout", "timeout", "heloName",
        "retryInitial", "retryMax", "retryMaxAttempts", "retryMaxAge");

    private final SmtpRoutes smtpRoutes;
    private final DNSService dns;
    private final MailRepositoryStore repositoryStore;
    private final DomainList domainList;
    private final Clock clock;
    private LiveRouteTable table;
    private RoutedMailProcessor processor;

    @Inject
    public SmtpRouteDelivery(SmtpRoutes smtpRoutes, DNSService dns, MailRepositoryStore repositoryStore, DomainList domainList, Clock clock) {
        this.smtpRoutes = smtpRoutes;
        this.dns = dns;
        this.repositoryStore = repositoryStore;
        this.domainList = domainList;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(PARAMETERS);
        MailetParameters parameters = new MailetParameters(getMailetName(), this::getInitParameter);
        try {
            table = smtpRoutes.table(parameters.string("routes", SmtpRoutes.DEFAULT_ROUTES));
        } catch (RouteFileException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + e.getMessage(), e);
        }
        RetryQueue retryQueue = new RetryQueue(selectRepository(parameters.string("retryRepository", DEFAULT_RETRY_REPOSITORY)));
        ClientSettings settings = new ClientSettings(
            parameters.string("heloName").orElseGet(this::defaultHeloName),
            parameters.duration("connectionTimeout", DEFAULT_CONNECTION_TIMEOUT),
            parameters.duration("timeout", DEFAULT_TIMEOUT));
        RetryPolicy policy = retryPolicy(parameters);
        RouteDelivery delivery = new RouteDelivery(
            new HostPlanner(dns, smtpRoutes.roundRobin(), smtpRoutes.health()),
            new SmtpHostClient(settings),
            smtpRoutes.health());
        Bouncer bouncer = new Bouncer(getMailetContext(), parameters.string("bounceProcessor"));
        processor = new RoutedMailProcessor(delivery, bouncer, retryQueue, policy, clock, route -> { });
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        processor.process(mail, table.current());
    }

    @Override
    public String getMailetInfo() {
        return "SmtpRouteDelivery: relays mail through SMTP routes with priority, round-robin and failover";
    }

    private static RetryPolicy retryPolicy(MailetParameters parameters) throws MessagingException {
        RetryPolicy defaults = RetryPolicy.DEFAULT;
        try {
            return new RetryPolicy(
                parameters.duration("retryInitial", defaults.initial()),
                parameters.duration("retryMax", defaults.max()),
                parameters.integer("retryMaxAttempts", defaults.maxAttempts(), 1, 100_000),
                parameters.duration("retryMaxAge", defaults.maxAge()));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: retry parameters: " + e.getMessage(), e);
        }
    }

    private org.apache.james.mailrepository.api.MailRepository selectRepository(String url) throws MessagingException {
        try {
            return repositoryStore.select(MailRepositoryUrl.from(url));
        } catch (Exception e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: cannot open retryRepository '" + url + "': " + e.getMessage(), e);
        }
    }

    private String defaultHeloName() {
        try {
            return domainList.getDefaultDomain().asString();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
