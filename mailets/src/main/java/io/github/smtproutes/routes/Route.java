package io.github.smtproutes.routes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * One {@code <route>} of a route file: which recipient domains it covers ({@link #domain()}),
 * where their mail goes ({@link #kind()} and {@link #hosts()}), and how to talk to those hosts
 * (TLS, authentication, retry, connection limits). Immutable and compared by value;
 * {@link #toString()} never shows the password.
 */
public final class Route {
    /** The {@link #domain()} of the default route, used when no other route matches. */
    public static final String ALL = DomainNames.ALL;
    static final int MAX_CONNECTIONS_PER_HOST_LIMIT = 10_000;

    private final String domain;
    private final RouteKind kind;
    private final List<RouteHost> hosts;
    private final List<HostGroup> priorityGroups;
    private final boolean possibleDelivery;
    private final boolean inbound;
    private final TlsMode tls;
    private final boolean allowPlainAuth;
    private final boolean allowUnverifiedAuth;
    private final boolean allowInboundUsedns;
    private final Optional<RouteAuth> auth;
    private final RetryOverrides retry;
    private final Optional<Duration> delayWarning;
    private final OptionalInt maxConnectionsPerHost;
    private final RecipientVerification verifyRecipients;
    private final VerifyFailureAction onVerifyFailure;
    // Routes are map keys on every delivery (grouping a mail's recipients): hash once.
    private final int hash;

    private Route(String domain, Builder builder) {
        this.domain = domain;
        this.kind = builder.kind;
        this.hosts = List.copyOf(builder.hosts);
        this.priorityGroups = groupByPriority(domain, hosts);
        this.possibleDelivery = builder.possibleDelivery;
        this.inbound = builder.inbound;
        this.tls = builder.tls;
        this.allowPlainAuth = builder.allowPlainAuth;
        this.allowUnverifiedAuth = builder.allowUnverifiedAuth;
        this.allowInboundUsedns = builder.allowInboundUsedns;
        this.auth = Optional.ofNullable(builder.auth);
        this.retry = builder.retry;
        this.delayWarning = Optional.ofNullable(builder.delayWarning);
        this.maxConnectionsPerHost = builder.maxConnectionsPerHost == null
            ? OptionalInt.empty() : OptionalInt.of(builder.maxConnectionsPerHost);
        this.verifyRecipients = builder.verifyRecipients;
        this.onVerifyFailure = builder.onVerifyFailure == null ? VerifyFailureAction.TEMPFAIL : builder.onVerifyFailure;
        this.hash = Objects.hash(domain, kind, hosts, possibleDelivery, inbound, tls, allowPlainAuth, allowUnverifiedAuth,
            allowInboundUsedns, auth, retry, delayWarning, maxConnectionsPerHost, verifyRecipients, onVerifyFailure);
    }

    /**
     * Starts a route for {@code domain}: {@code "example.com"}, {@code ".example.org"} (its
     * subdomains) or {@code "ALL"}, in any case. The route is checked by {@link Builder#build()}.
     */
    public static Builder builder(String domain) {
        return new Builder(domain);
    }

    /** {@code "example.com"}, {@code ".example.org"} (lowercase) or {@code "ALL"}. */
    public String domain() {
        return domain;
    }

    /** Whether this is the {@code ALL} route, used when no other route matches. */
    public boolean isDefault() {
        return ALL.equals(domain);
    }

    public RouteKind kind() {
        return kind;
    }

    /** The destination hosts in file order; empty unless {@link #kind()} is {@link RouteKind#HOSTS}. */
    /** The hosts grouped by priority, highest (0) first, each group in file order; computed once. */
    public List<HostGroup> priorityGroups() {
        return priorityGroups;
    }

    private static List<HostGroup> groupByPriority(String domain, List<RouteHost> hosts) {
        TreeMap<Integer, List<RouteHost>> byPriority = new TreeMap<>();
        hosts.forEach(host -> byPriority.computeIfAbsent(host.priority(), priority -> new ArrayList<>()).add(host));
        List<HostGroup> groups = new ArrayList<>();
        byPriority.forEach((priority, group) -> groups.add(new HostGroup(domain, priority, group)));
        return List.copyOf(groups);
    }

    public List<RouteHost> hosts() {
        return hosts;
    }

    /**
     * ESA's "possible delivery": whether a message whose connection failed after its body was sent
     * but before the host's final reply counts as delivered rather than being retried, which
     * avoids duplicates.
     */
    public boolean possibleDelivery() {
        return possibleDelivery;
    }

    /**
     * Whether James accepts mail for this domain from any sender and relays it here (an inbound
     * relay domain). Never true for {@code ALL}.
     */
    public boolean inbound() {
        return inbound;
    }

    public TlsMode tls() {
        return tls;
    }

    /** Whether AUTH PLAIN/LOGIN may be used without TLS. */
    public boolean allowPlainAuth() {
        return allowPlainAuth;
    }

    /**
     * Whether the admin accepted that this route's credentials go to hosts whose certificate is not
     * verified ({@code tls} other than {@code verify}): an active man-in-the-middle can then read them.
     */
    public boolean allowUnverifiedAuth() {
        return allowUnverifiedAuth;
    }

    /**
     * Whether the admin accepted an inbound {@code USEDNS} route: mail any outsider sends to the
     * domain goes wherever its MX records point, which the domain's DNS owner decides.
     */
    public boolean allowInboundUsedns() {
        return allowInboundUsedns;
    }

    public Optional<RouteAuth> auth() {
        return auth;
    }

    /** The retry settings this route changes; {@link RetryOverrides#none()} when it has no {@code <retry>}. */
    public RetryOverrides retry() {
        return retry;
    }

    /** How long a message may wait before its sender is warned of the delay. */
    public Optional<Duration> delayWarning() {
        return delayWarning;
    }

    public OptionalInt maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /** Whether RCPT asks this (inbound) route's hosts about each recipient first; {@code OFF} by default. */
    public RecipientVerification verifyRecipients() {
        return verifyRecipients;
    }

    /** What RCPT answers when no host gave a definite answer; {@code TEMPFAIL} by default. */
    public VerifyFailureAction onVerifyFailure() {
        return onVerifyFailure;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Route)) {
            return false;
        }
        Route that = (Route) other;
        return hash == that.hash && domain.equals(that.domain) && kind == that.kind && hosts.equals(that.hosts)
            && possibleDelivery == that.possibleDelivery && inbound == that.inbound && tls == that.tls
            && allowPlainAuth == that.allowPlainAuth && allowUnverifiedAuth == that.allowUnverifiedAuth
            && allowInboundUsedns == that.allowInboundUsedns && auth.equals(that.auth) && retry.equals(that.retry)
            && delayWarning.equals(that.delayWarning) && maxConnectionsPerHost.equals(that.maxConnectionsPerHost)
            && verifyRecipients == that.verifyRecipients && onVerifyFailure == that.onVerifyFailure;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringJoiner fields = new StringJoiner(", ", "Route{", "}");
        fields.add("domain=" + domain);
        fields.add(kind == RouteKind.HOSTS ? "hosts=" + hosts : "kind=" + kind);
        fields.add("possibleDelivery=" + possibleDelivery);
        fields.add("inbound=" + inbound);
        fields.add("tls=" + tls.keyword());
        fields.add("allowPlainAuth=" + allowPlainAuth);
        if (allowUnverifiedAuth) {
            fields.add("allowUnverifiedAuth=true");
        }
        if (allowInboundUsedns) {
            fields.add("allowInboundUsedns=true");
        }
        auth.ifPresent(value -> fields.add("auth=" + value));
        if (!retry.isEmpty()) {
            fields.add("retry=" + retry);
        }
        delayWarning.ifPresent(value -> fields.add("delayWarning=" + Durations.describe(value)));
        maxConnectionsPerHost.ifPresent(value -> fields.add("maxConnectionsPerHost=" + value));
        if (verifyRecipients != RecipientVerification.OFF) {
            fields.add("verifyRecipients=" + verifyRecipients.keyword());
            fields.add("onVerifyFailure=" + onVerifyFailure.keyword());
        }
        return fields.toString();
    }

    /**
     * Collects a route's settings. Defaults: kind {@link RouteKind#HOSTS}, no hosts,
     * possibleDelivery/inbound/allowPlainAuth/allowUnverifiedAuth/allowInboundUsedns false, tls {@link TlsMode#OPPORTUNISTIC}, no auth,
     * no retry overrides, no delay warning, no connection limit, no recipient verification
     * (and {@code tempfail} when verification finds no answer).
     */
    public static final class Builder {
        private final String writtenDomain;
        private RouteKind kind = RouteKind.HOSTS;
        private final List<RouteHost> hosts = new ArrayList<>();
        private boolean possibleDelivery;
        private boolean inbound;
        private TlsMode tls = TlsMode.OPPORTUNISTIC;
        private boolean allowPlainAuth;
        private boolean allowUnverifiedAuth;
        private boolean allowInboundUsedns;
        private RouteAuth auth;
        private RetryOverrides retry = RetryOverrides.none();
        private Duration delayWarning;
        private Integer maxConnectionsPerHost;
        private RecipientVerification verifyRecipients = RecipientVerification.OFF;
        private VerifyFailureAction onVerifyFailure;

        private Builder(String domain) {
            this.writtenDomain = Objects.requireNonNull(domain, "domain");
        }

        public Builder kind(RouteKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /** Appends one host. */
        public Builder host(RouteHost host) {
            hosts.add(Objects.requireNonNull(host, "host"));
            return this;
        }

        /** Replaces the hosts, keeping the given order. */
        public Builder hosts(Collection<RouteHost> hosts) {
            this.hosts.clear();
            hosts.forEach(this::host);
            return this;
        }

        /** Replaces the hosts, keeping the given order. */
        public Builder hosts(RouteHost... hosts) {
            return hosts(List.of(hosts));
        }

        public Builder possibleDelivery(boolean possibleDelivery) {
            this.possibleDelivery = possibleDelivery;
            return this;
        }

        public Builder inbound(boolean inbound) {
            this.inbound = inbound;
            return this;
        }

        public Builder tls(TlsMode tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        public Builder allowPlainAuth(boolean allowPlainAuth) {
            this.allowPlainAuth = allowPlainAuth;
            return this;
        }

        public Builder allowUnverifiedAuth(boolean allowUnverifiedAuth) {
            this.allowUnverifiedAuth = allowUnverifiedAuth;
            return this;
        }

        public Builder allowInboundUsedns(boolean allowInboundUsedns) {
            this.allowInboundUsedns = allowInboundUsedns;
            return this;
        }

        public Builder auth(RouteAuth auth) {
            this.auth = Objects.requireNonNull(auth, "auth");
            return this;
        }

        public Builder retry(RetryOverrides retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder delayWarning(Duration delayWarning) {
            this.delayWarning = Objects.requireNonNull(delayWarning, "delayWarning");
            return this;
        }

        public Builder maxConnectionsPerHost(int maxConnectionsPerHost) {
            this.maxConnectionsPerHost = maxConnectionsPerHost;
            return this;
        }

        public Builder verifyRecipients(RecipientVerification verifyRecipients) {
            this.verifyRecipients = Objects.requireNonNull(verifyRecipients, "verifyRecipients");
            return this;
        }

        public Builder onVerifyFailure(VerifyFailureAction onVerifyFailure) {
            this.onVerifyFailure = Objects.requireNonNull(onVerifyFailure, "onVerifyFailure");
            return this;
        }

        /**
         * Checks the route the way the route file parser does.
         *
         * @throws IllegalArgumentException starting {@code route '<domain>': } and saying what is wrong
         */
        public Route build() {
            try {
                String domain = DomainNames.normalizeRouteDomain(writtenDomain);
                checkDestinations();
                checkOptions(domain);
                return new Route(domain, this);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("route '" + writtenDomain + "': " + e.getMessage(), e);
            }
        }

        private void checkDestinations() {
            if (kind == RouteKind.HOSTS && hosts.isEmpty()) {
                throw new IllegalArgumentException("no hosts: a route needs at least one host, USEDNS or /dev/null");
            }
            if (kind != RouteKind.HOSTS && !hosts.isEmpty()) {
                throw new IllegalArgumentException("a " + kind + " route cannot also list hosts " + hosts);
            }
        }

        private void checkOptions(String domain) {
            if (inbound) {
                checkInbound(domain);
            }
            checkAuth();
            if (maxConnectionsPerHost != null
                && (maxConnectionsPerHost < 1 || maxConnectionsPerHost > MAX_CONNECTIONS_PER_HOST_LIMIT)) {
                throw new IllegalArgumentException("maxConnectionsPerHost must be 1.." + MAX_CONNECTIONS_PER_HOST_LIMIT
                    + ", got " + maxConnectionsPerHost);
            }
            RetryPolicy.requirePositive("delayWarning", delayWarning);
            checkVerification();
        }

        /**
         * Call-ahead asks the route's own listed hosts, on behalf of the inbound SMTP hook, so it
         * needs both: a route that is not inbound never answers an outsider's RCPT (James's relay
         * rules do, and they do not verify), and USEDNS or /dev/null have no inside host to ask
         * (an MX host on the internet is not the authority we mean to consult; /dev/null takes
         * everything). Refusing the combination beats a setting that silently does nothing.
         */
        private void checkVerification() {
            if (verifyRecipients == RecipientVerification.OFF) {
                if (onVerifyFailure != null) {
                    throw new IllegalArgumentException(
                        "onVerifyFailure needs verifyRecipients=\"callahead\" on the same route");
                }
                return;
            }
            if (!inbound) {
                throw new IllegalArgumentException("verifyRecipients=\"" + verifyRecipients.keyword()
                    + "\" needs inbound=\"true\": recipients are verified when outsiders send to an inbound domain");
            }
            if (kind != RouteKind.HOSTS) {
                throw new IllegalArgumentException("verifyRecipients=\"" + verifyRecipients.keyword()
                    + "\" needs the route's own hosts to ask; a " + (kind == RouteKind.USEDNS ? "USEDNS" : "/dev/null")
                    + " route has none");
            }
        }

        /**
         * An inbound route lets anyone on the internet send to its domain, so it must name the
         * organisation's own domain: never every domain, never a whole top-level or public
         * suffix (any registrant under it would gain a relay), and never "wherever DNS says"
         * unless the admin says so.
         */
        private void checkInbound(String domain) {
            if (ALL.equals(domain)) {
                throw new IllegalArgumentException(
                    "inbound is not allowed on the ALL route: it would make James an open relay");
            }
            DomainNames.checkInboundDomain(domain);
            if (kind == RouteKind.USEDNS && !allowInboundUsedns) {
                throw new IllegalArgumentException("inbound with USEDNS relays mail from anyone to whatever MX the "
                    + "domain's DNS names (a delegated subdomain can point it anywhere); list the inside hosts, "
                    + "or set allowInboundUsedns=\"true\" if that is what you want");
            }
        }

        /**
         * Credentials go only to a host whose certificate is verified: with opportunistic or
         * required TLS an active man-in-the-middle shows any certificate and reads AUTH PLAIN/LOGIN
         * (RFC 4954 section 4 asks for a protected channel before plain mechanisms).
         */
        private void checkAuth() {
            if (auth != null && tls != TlsMode.VERIFY && !allowUnverifiedAuth) {
                throw new IllegalArgumentException("<auth> needs tls=\"verify\" (got tls=\"" + tls.keyword()
                    + "\"): without a verified certificate the password can go to a man-in-the-middle; "
                    + "set allowUnverifiedAuth=\"true\" to accept that risk");
            }
        }
    }
}
