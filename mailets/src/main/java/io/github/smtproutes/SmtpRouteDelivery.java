package io.github.smtproutes;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;

import io.github.smtproutes.delivery.Bouncer;
import io.github.smtproutes.delivery.ReturnToSpool;
import io.github.smtproutes.delivery.HostPlanner;
import io.github.smtproutes.delivery.HostProber;
import io.github.smtproutes.delivery.RouteDelivery;
import io.github.smtproutes.delivery.RoutedMailProcessor;
import io.github.smtproutes.metrics.DeliveryMetrics;
import io.github.smtproutes.metrics.JamesDeliveryMetrics;
import io.github.smtproutes.nodes.LeaseBook;
import io.github.smtproutes.nodes.NodeLayout;
import io.github.smtproutes.nodes.QueueTakeover;
import io.github.smtproutes.nodes.RetryNodes;
import io.github.smtproutes.retry.DelayWarnings;
import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.retry.RetryQueueHandle;
import io.github.smtproutes.retry.RetryScheduler;
import io.github.smtproutes.retry.RetryState;
import io.github.smtproutes.routes.RetryPolicy;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.routes.RouteTable;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.SmtpHostClient;

/**
 * Mailet: delivers each routed recipient through its SMTP route, with priority groups,
 * round-robin and failover, and queues what no host took in a James mail repository. A thin
 * adapter: it reads its parameters and hands each mail to {@link RoutedMailProcessor}.
 */
public class SmtpRouteDelivery extends GenericMailet {
    /** How long destroy() waits for retries under way; one cut short stays queued. */
    static final Duration RETRY_STOP_GRACE = Duration.ofSeconds(10);
    /** How long an adopter waits between the two listings of a dead node's queue (see QueueTakeover). */
    static final Duration NODE_TAKEOVER_SETTLE = Duration.ofSeconds(1);

    private final SmtpRoutes smtpRoutes;
    private final DNSService dns;
    private final MailRepositoryStore repositoryStore;
    private final DomainList domainList;
    private final Clock clock;
    private LiveRouteTable table;
    private RoutedMailProcessor processor;
    private DeliveryMetrics metrics = DeliveryMetrics.NONE;
    private RetryQueueHandle retryHandle;
    private Optional<String> bounceProcessor = Optional.empty();
    private Optional<String> delayWarningProcessor = Optional.empty();
    private ConnectionPool pool;
    private HostProber prober;
    private LiveRouteTable.Check retryCheck;
    private RetryNodes nodes;
    private Optional<RepositoryTypes> repositoryTypes = Optional.empty();
    private Consumer<String> hostAnswered;
    private MailQueueFactory<?> mailQueues;

    @Inject
    public SmtpRouteDelivery(SmtpRoutes smtpRoutes, DNSService dns, MailRepositoryStore repositoryStore, DomainList domainList, Clock clock) {
        this.smtpRoutes = smtpRoutes;
        this.dns = dns;
        this.repositoryStore = repositoryStore;
        this.domainList = domainList;
        this.clock = clock;
    }

    /** Guice passes James's mail queues: mail whose route a reload removed goes back to the spool through them. */
    @Inject
    void useMailQueues(MailQueueFactory<?> queues) {
        this.mailQueues = queues;
    }

    /** Guice passes James's metrics (method injection keeps the constructor as it is); without Guice nothing is counted. */
    @Inject
    void useMetrics(JamesDeliveryMetrics metrics) {
        metrics.registerRetryQueueGauge(smtpRoutes::retryQueueSize);
        this.metrics = metrics;
    }

    /** Guice passes the declared repository protocols, so that an undeclared one is named at start. */
    @Inject
    void useRepositoryTypes(MailRepositoryStoreConfiguration configuration) {
        this.repositoryTypes = Optional.of(new RepositoryTypes(configuration));
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(DeliveryParameters.NAMES);
        DeliveryParameters parameters = new DeliveryParameters(getMailetName(), this::getInitParameter);
        try {
            table = smtpRoutes.table(parameters.routes());
        } catch (RouteFileException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + e.getMessage(), e);
        }
        Optional<NodeLayout> nodeLayout = parameters.retryNodes();
        String queueUrl = nodeLayout.map(NodeLayout::ownQueue).orElse(parameters.retryRepository());
        RetryQueue retryQueue = new RetryQueue(selectRepository(queueUrl));
        RetryPolicy policy = parameters.retryPolicy();
        addRouteRetryCheck(policy);
        parameters.configureHostDownBackoff(smtpRoutes.failures());
        parameters.configureHostVerdictWait(smtpRoutes.admission());
        pool = parameters.connectionPool(clock);
        smtpRoutes.registerConnectionPool(pool);
        SmtpHostClient client = new SmtpHostClient(parameters.clientSettings(this::defaultHeloName), pool);
        prober = new HostProber(client, smtpRoutes.failures(), "smtp-routes-probe-" + getMailetName());
        RouteDelivery delivery = new RouteDelivery(
            new HostPlanner(dns, parameters.mxResolver(), smtpRoutes.roundRobin(), smtpRoutes.failures()),
            client,
            smtpRoutes.admission(),
            metrics,
            prober);
        bounceProcessor = parameters.bounceProcessor();
        Bouncer bouncer = new Bouncer(getMailetContext(), bounceProcessor);
        DelayWarnings delayWarnings = delayWarnings(parameters, table.current());
        RetryScheduler scheduler = new RetryScheduler(retryQueue,
            mail -> processor.process(mail, table.current()),
            returnToSpool(),
            clock, parameters.retrySchedule(),
            mail -> policyOf(mail, policy),
            this::toErrorProcessor);
        // Route flush: a host of the route just accepted, so its mails waiting for a host are
        // worth a try now; and the hosts they wait for are remembered, so that any route's
        // success with one of them brings them forward too.
        processor = new RoutedMailProcessor(delivery, bouncer, retryQueue, policy, clock,
            route -> scheduler.flush(route.domain()), delayWarnings)
            .withMetrics(metrics)
            .withHostWaits((route, endpoints) -> scheduler.awaitingHosts(route.domain(), endpoints));
        if (nodeLayout.isPresent()) {
            startNode(nodeLayout.get(), retryQueue, scheduler);
        }
        startRetries(new RetryQueueHandle(queueUrl, scheduler));
        hostAnswered = scheduler::flushHost;
        smtpRoutes.failures().addAnsweredListener(hostAnswered);
    }

    /**
     * One of several nodes sharing the retry store: the lease is renewed once before the
     * scheduler starts, and the scheduler retries only while this node holds it.
     */
    private void startNode(NodeLayout layout, RetryQueue retryQueue, RetryScheduler scheduler) throws MessagingException {
        Optional<String> unsafe = repositoryTypes.flatMap(types -> types.unsafeToShare(layout.sharedBase()));
        if (unsafe.isPresent()) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + unsafe.get());
        }
        nodes = new RetryNodes(layout, new LeaseBook(selectRepository(layout.leaseBook())), this::selectRepository, retryQueue,
            new QueueTakeover(NODE_TAKEOVER_SETTLE), clock, scheduler.settings().interval());
        scheduler.retryOnlyWhile(nodes::holdsLease);
        nodes.start();
        smtpRoutes.registerRetryNodes(nodes);
    }

    /** The retry policy of a waiting mail's route as the table has it now; the mailet's when the route is gone. */
    private RetryPolicy policyOf(Mail mail, RetryPolicy mailetPolicy) {
        return RetryState.route(mail)
            .flatMap(domain -> table.current().routes().stream().filter(route -> route.domain().equalsIgnoreCase(domain)).findFirst())
            .map(route -> mailetPolicy.overriddenBy(route.retry()))
            .orElse(mailetPolicy);
    }

    /** James's error processor keeps what the retry queue cannot: its repository shows the reason. */
    private void toErrorProcessor(Mail mail, String reason) throws MessagingException {
        mail.setErrorMessage(reason);
        getMailetContext().sendMail(mail, Mail.ERROR);
    }

    /** Never the mailet context's sendMail: it would give the mail a mailet's relay rights ({@link ReturnToSpool}). */
    private ReturnToSpool returnToSpool() throws MessagingException {
        if (mailQueues == null) {
            throw new MessagingException("Mailet SmtpRouteDelivery: James's mail queues were not injected");
        }
        return new ReturnToSpool(mailQueues);
    }

    /** The scheduler finds mails left by a previous run at once: they were stored before the restart. */
    private void startRetries(RetryQueueHandle handle) throws MessagingException {
        try {
            smtpRoutes.registerRetryQueue(handle);
        } catch (IllegalStateException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + e.getMessage(), e);
        }
        retryHandle = handle;
        handle.scheduler().start();
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        // James then refuses to start when a processor this mailet sends mail to is missing.
        return Stream.concat(bounceProcessor.stream(), delayWarningProcessor.stream())
            .map(ProcessingState::new)
            .collect(Collectors.toList());
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        processor.process(mail, table.current());
    }

    @Override
    public void destroy() {
        if (hostAnswered != null) {
            smtpRoutes.failures().removeAnsweredListener(hostAnswered);
            hostAnswered = null;
        }
        if (nodes != null) {
            // The lease is left to run out: a node that does not come back is adopted by another.
            smtpRoutes.unregisterRetryNodes(nodes);
            nodes.close();
            nodes = null;
        }
        if (retryCheck != null) {
            table.removeCheck(retryCheck);
        }
        if (retryHandle != null) {
            // Retries under way get a grace period; one cut short keeps its mail queued.
            retryHandle.scheduler().stop(RETRY_STOP_GRACE);
            smtpRoutes.unregisterRetryQueue(retryHandle);
            retryHandle = null;
        }
        if (prober != null) {
            prober.close();
        }
        if (pool != null) {
            // QUIT every idle pooled session: James is stopping or reloading this mailet.
            smtpRoutes.unregisterConnectionPool(pool);
            pool.close();
        }
    }

    @Override
    public String getMailetInfo() {
        return "SmtpRouteDelivery: relays mail through SMTP routes with priority, round-robin and failover";
    }



    /**
     * Every route's retry settings combined with the mailet's must make a valid policy; checked
     * here so that a bad combination is a start-up error, not a failure at the first deferral.
     */
    private void addRouteRetryCheck(RetryPolicy policy) throws MessagingException {
        retryCheck = routes -> requireConsistentRouteRetry(policy, routes);
        try {
            table.addCheck(retryCheck);
        } catch (RouteFileException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + e.getMessage(), e);
        }
    }

    /** Also run on every reload: a reloaded route whose {@code <retry>} clashes is refused with the file. */
    private static void requireConsistentRouteRetry(RetryPolicy policy, RouteTable routes) throws RouteFileException {
        for (Route route : routes.routes()) {
            try {
                policy.overriddenBy(route.retry());
            } catch (IllegalArgumentException e) {
                throw new RouteFileException(routes.source() + ": route " + route.domain() + ": <retry>: " + e.getMessage()
                    + " (with SmtpRouteDelivery's retry parameters)", e);
            }
        }
    }


    /**
     * Delay warnings are on when the mailet or any route sets a delay; then the processor that
     * turns them into DSNs must exist (checked by James at start through requiredProcessingState).
     */
    private DelayWarnings delayWarnings(DeliveryParameters parameters, RouteTable routes) throws MessagingException {
        Optional<Duration> mailetDelay = parameters.delayWarning();
        boolean anyRouteWarns = routes.routes().stream().anyMatch(route -> route.delayWarning().isPresent());
        String processorName = parameters.delayWarningProcessor();
        if (mailetDelay.isPresent() || anyRouteWarns || parameters.delayWarningProcessorNamed()) {
            delayWarningProcessor = Optional.of(processorName);
        }
        return new DelayWarnings(mailetDelay, processorName, getMailetContext());
    }

    private org.apache.james.mailrepository.api.MailRepository selectRepository(String url) throws MessagingException {
        requireDeclaredProtocol(url);
        try {
            return repositoryStore.select(MailRepositoryUrl.from(url));
        } catch (Exception e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: cannot open retryRepository '" + url + "': " + e.getMessage(), e);
        }
    }

    /**
     * A URL whose protocol James does not declare (e.g. {@code file://} on distributed James, which
     * declares only {@code cassandra://}) is a start-up error that says what James does offer.
     */
    private void requireDeclaredProtocol(String url) throws MessagingException {
        Optional<String> problem = repositoryTypes.flatMap(types -> types.undeclared(url));
        if (problem.isPresent()) {
            throw new MessagingException("Mailet SmtpRouteDelivery: retryRepository " + problem.get());
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
