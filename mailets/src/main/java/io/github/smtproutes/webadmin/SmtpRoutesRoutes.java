package io.github.smtproutes.webadmin;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.ErrorResponder.ErrorType;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.github.smtproutes.LiveRouteTable;
import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.delivery.HostPlanner;
import io.github.smtproutes.metrics.JamesDeliveryMetrics;
import io.github.smtproutes.nodes.RetryNodes;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.routes.RouteTable;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.verify.RecipientVerifier;

import spark.HaltException;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin endpoints for SMTP Routes, the James counterpart of the ESA's {@code smtproutes},
 * {@code hoststatus}/{@code tophosts} and {@code delivernow}: the loaded route table, the state of
 * destination hosts, the host plan of a recipient, retrying waiting mail now, reloading the
 * route file, and recipient verification (call-ahead): testing one address, the cache figures,
 * and clearing the cache. Enabled by {@code extensions.routes=io.github.smtproutes.webadmin.SmtpRoutesRoutes}
 * in {@code webadmin.properties}; Guice creates it with the same {@link SmtpRoutes} the mailet uses.
 * Errors are James's usual JSON errors: 400 with a message, 404 for an unknown route. Any answer
 * is indented over lines with {@code ?pretty}.
 */
public class SmtpRoutesRoutes implements Routes {
    public static final String BASE = "/smtpRoutes";

    private final SmtpRoutes smtpRoutes;
    private final HostPlanner planner;
    private final JamesDeliveryMetrics metrics;
    private final RetryNow retryNow;
    private static final ObjectMapper PRETTY_READER = new ObjectMapper();
    private static final ObjectWriter PRETTY = PRETTY_READER.writerWithDefaultPrettyPrinter();

    private final RecipientVerifier verifier;
    private final VerifyEndpoints verify;
    private final JsonTransformer json = new JsonTransformer();

    @Inject
    public SmtpRoutesRoutes(SmtpRoutes smtpRoutes, DNSService dns, Clock clock, JamesDeliveryMetrics metrics, RecipientVerifier verifier) {
        this.smtpRoutes = smtpRoutes;
        this.metrics = metrics;
        this.planner = new HostPlanner(dns, smtpRoutes.roundRobin(), smtpRoutes.failures());
        this.retryNow = new RetryNow(smtpRoutes, clock);
        this.verifier = verifier;
        this.verify = new VerifyEndpoints(smtpRoutes, verifier);
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(BASE, this::routeTables, json);
        service.get(BASE + "/hosts", this::hosts, json);
        service.get(BASE + "/plan", this::plan, json);
        service.post(BASE + "/deliverNow", this::deliverNow, json);
        service.post(BASE + "/reload", this::reload, json);
        service.get(BASE + "/nodes", this::nodes, json);
        service.post(BASE + "/nodes/:nodeId/adopt", this::adopt, json);
        service.get(BASE + "/verify", this::verify, json);
        service.get(BASE + "/verify/cache", this::verifyCache, json);
        service.delete(BASE + "/verify/cache", this::clearVerifyCache);
        service.after(BASE, SmtpRoutesRoutes::prettyWhenAsked);
        service.after(BASE + "/*", SmtpRoutesRoutes::prettyWhenAsked);
    }

    /**
     * Verifies one recipient by call-ahead, exactly as its RCPT would be (cache included; with
     * {@code fresh=true} its cached result is dropped first), and says what RCPT would answer.
     */
    private Object verify(Request request, Response response) {
        response.type("application/json");
        MailAddress recipient = recipient(request.queryParams("recipient"));
        boolean fresh = "true".equalsIgnoreCase(request.queryParams("fresh"));
        Route route = verify.verifyingRoute(recipient).orElseThrow(() -> notFound("no inbound route with "
            + "verifyRecipients=\"callahead\" matches '" + recipient.getDomain().asString() + "'"));
        return verify.verify(route, recipient, fresh);
    }

    /** Call-ahead cache figures (positive and negative), settings, and call-ahead sessions per host. */
    private Object verifyCache(Request request, Response response) {
        response.type("application/json");
        return verify.cacheView();
    }

    /** Forgets every cached call-ahead result, or with {@code ?recipient=} that address's only. */
    private Object clearVerifyCache(Request request, Response response) {
        String recipient = request.queryParams("recipient");
        if (recipient == null) {
            verifier.clearCache();
        } else {
            verifier.forget(recipient(recipient));
        }
        response.status(HttpStatus.NO_CONTENT_204);
        return "";
    }

    /**
     * {@code ?pretty} on any of these endpoints: the same JSON, indented over lines for reading in
     * a terminal. Without it, answers stay one line, as every James WebAdmin answer is.
     */
    private static void prettyWhenAsked(Request request, Response response) throws IOException {
        String body = response.body();
        if (request.queryParams().contains("pretty") && body != null && !body.isEmpty()) {
            response.body(PRETTY.writeValueAsString(PRETTY_READER.readTree(body)) + "\n");
        }
    }

    private Object routeTables(Request request, Response response) {
        response.type("application/json");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("tables", smtpRoutes.tables().stream().map(RouteViews::table).toArray());
        return view;
    }

    private Object hosts(Request request, Response response) {
        response.type("application/json");
        HostFailures failures = smtpRoutes.failures();
        return RouteViews.hostStates(failures.failures(), failures::isDown, metrics.hostStatistics().snapshot(),
            smtpRoutes.connectionPoolStats());
    }

    /** The host order the next delivery to this recipient would try: a preview, the round-robin does not move. */
    private Object plan(Request request, Response response) {
        response.type("application/json");
        MailAddress recipient = recipient(request.queryParams("recipient"));
        String domain = recipient.getDomain().asString();
        List<Map<String, Object>> plans = new ArrayList<>();
        for (LiveRouteTable table : smtpRoutes.tables()) {
            Optional<Route> route = table.current().routeFor(domain);
            route.ifPresent(found -> plans.add(RouteViews.plan(table, found, planner.preview(found, domain))));
        }
        if (plans.isEmpty()) {
            throw notFound("no route matches '" + domain + "': mail to it is not handled by SMTP Routes");
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("recipient", recipient.asString());
        view.put("domain", domain);
        view.put("plans", plans);
        return view;
    }

    /** Waiting mails of the route {@code domain} resolves to (or of all routes) become due now. */
    private Object deliverNow(Request request, Response response) throws MessagingException {
        response.type("application/json");
        Optional<String> domain = Optional.ofNullable(request.queryParams("domain")).map(String::trim);
        if (domain.isEmpty()) {
            endHostBackoffs();
            return retryNow.all();
        }
        if (!RetryNow.isDomainName(domain.get())) {
            throw badRequest("'" + domain.get() + "' is not a domain name");
        }
        List<String> routes = routesFor(domain.get());
        if (routes.isEmpty()) {
            throw notFound("no route matches '" + domain.get() + "'");
        }
        endHostBackoffs();
        return retryNow.routes(domain.get(), routes);
    }

    /**
     * An operator asking to deliver now also means "try the hosts now", as Postfix's
     * {@code postqueue -f} also flushes its dead-destination cache: every host failure ends its
     * backoff, so a failed host gets its probe from the next delivery that reaches it, instead of
     * the retried mail finding it still down.
     */
    private void endHostBackoffs() {
        smtpRoutes.failures().endBackoffs();
    }

    /** Re-reads every route file; a bad file keeps its running table and answers 400 with the parser's message. */
    private Object reload(Request request, Response response) {
        response.type("application/json");
        List<Map<String, Object>> reloaded = new ArrayList<>();
        for (LiveRouteTable table : smtpRoutes.tables()) {
            try {
                RouteTable current = table.reload();
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("routeFile", table.file().getPath());
                view.put("routes", current.routes().size());
                reloaded.add(view);
            } catch (RouteFileException e) {
                throw badRequest("route file not reloaded, the running routes stay in use: " + e.getMessage());
            }
        }
        return Map.of("reloaded", reloaded);
    }

    /** The nodes sharing each multi-node mailet's retry store (empty without retryNodeId). */
    private Object nodes(Request request, Response response) throws MessagingException {
        response.type("application/json");
        return NodeViews.of(smtpRoutes.retryNodes());
    }

    /**
     * Takes a node's waiting mail into this node's queue now. 409 while that node's lease runs
     * (it is delivering that mail itself), unless {@code ?force=true}; 404 for a node no store knows.
     */
    private Object adopt(Request request, Response response) throws MessagingException {
        response.type("application/json");
        String nodeId = request.params("nodeId");
        boolean force = "true".equalsIgnoreCase(request.queryParams("force"));
        if (smtpRoutes.retryNodes().isEmpty()) {
            throw notFound("no SmtpRouteDelivery mailet has a retryNodeId: this James is a single node");
        }
        int adopted = 0;
        boolean known = false;
        boolean live = false;
        for (RetryNodes nodes : smtpRoutes.retryNodes()) {
            RetryNodes.AdoptResult result = nodes.adoptNow(nodeId, force);
            if (result.verdict == RetryNodes.Verdict.SELF) {
                throw badRequest("'" + nodeId + "' is this node: a node delivers its own queue");
            }
            known |= result.verdict != RetryNodes.Verdict.UNKNOWN_NODE;
            live |= result.verdict == RetryNodes.Verdict.LEASE_LIVE;
            adopted += result.adopted;
        }
        if (!known) {
            throw notFound("no node '" + nodeId + "' in the shared retry store (see GET " + BASE + "/nodes)");
        }
        if (live) {
            throw ErrorResponder.builder().statusCode(HttpStatus.CONFLICT_409).type(ErrorType.WRONG_STATE)
                .message("node '" + nodeId + "' holds a live lease and is delivering its queue itself; add ?force=true to take it anyway")
                .haltError();
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("nodeId", nodeId);
        view.put("adopted", adopted);
        return view;
    }

    /** The domain keys of the routes {@code domain} resolves to, one per route file that has one. */
    private List<String> routesFor(String domain) {
        List<String> routes = new ArrayList<>();
        for (LiveRouteTable table : smtpRoutes.tables()) {
            table.current().routeFor(domain).map(Route::domain).filter(key -> !routes.contains(key)).ifPresent(routes::add);
        }
        return routes;
    }

    private static MailAddress recipient(String text) {
        if (text == null || text.isBlank()) {
            throw badRequest("query parameter 'recipient' is required, e.g. ?recipient=user@example.com");
        }
        try {
            return new MailAddress(text.trim());
        } catch (AddressException e) {
            throw badRequest("'" + text + "' is not a valid mail address: " + e.getMessage());
        }
    }

    private static HaltException badRequest(String message) {
        return ErrorResponder.builder().statusCode(HttpStatus.BAD_REQUEST_400).type(ErrorType.INVALID_ARGUMENT)
            .message(message).haltError();
    }

    private static HaltException notFound(String message) {
        return ErrorResponder.builder().statusCode(HttpStatus.NOT_FOUND_404).type(ErrorType.NOT_FOUND)
            .message(message).haltError();
    }
}
