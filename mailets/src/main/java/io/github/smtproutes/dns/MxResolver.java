package io.github.smtproutes.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;

import io.github.smtproutes.routes.RouteHost;

/**
 * Finds where mail for a domain goes (RFC 5321 section 5.1), telling apart what James's
 * {@code DNSService} folds together: a domain that has no mail service (a null MX, RFC 7505), a
 * domain that does not exist (NXDOMAIN), and a DNS server that could not answer (SERVFAIL, a
 * timeout). It asks dnsjava directly, through the resolver James's DNS service registered as
 * dnsjava's default ({@code dnsservice.xml}), or through a resolver of its own. It never throws:
 * every failure is an {@link Answer}.
 */
public final class MxResolver {
    private final Supplier<Resolver> resolver;
    private final Supplier<Cache> cache;

    private MxResolver(Supplier<Resolver> resolver, Supplier<Cache> cache) {
        this.resolver = resolver;
        this.cache = cache;
    }

    /**
     * Asks the resolver and cache James's DNS service registered with dnsjava at start (its
     * {@code setAsDNSJavaDefault}, on by default); read at each lookup, so James may start after this.
     */
    public static MxResolver usingJamesResolver() {
        return new MxResolver(Lookup::getDefaultResolver, () -> Lookup.getDefaultCache(DClass.IN));
    }

    /**
     * Asks the DNS servers in {@code servers}: comma-separated IP addresses, each with an
     * optional port ({@code 192.0.2.53}, {@code 127.0.0.1:5353}, {@code [::1]:5353}; 53 by default).
     *
     * @throws IllegalArgumentException saying which entry is wrong
     */
    public static MxResolver usingServers(String servers) {
        List<Resolver> resolvers = new ArrayList<>();
        for (String entry : servers.split(",")) {
            resolvers.add(new SimpleResolver(serverAddress(entry.trim())));
        }
        if (resolvers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server given");
        }
        return using(resolvers.size() == 1 ? resolvers.get(0) : new ExtendedResolver(resolvers));
    }

    private static InetSocketAddress serverAddress(String entry) {
        HostAndPort parsed;
        try {
            parsed = HostAndPort.fromString(entry).withDefaultPort(SimpleResolver.DEFAULT_PORT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address with an optional port");
        }
        // A DNS server named by a host name would need DNS to be found.
        if (!InetAddresses.isInetAddress(parsed.getHost())) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address with an optional port");
        }
        return new InetSocketAddress(InetAddresses.forString(parsed.getHost()), parsed.getPort());
    }

    /** Asks {@code resolver}, with a cache of its own. */
    public static MxResolver using(Resolver resolver) {
        Objects.requireNonNull(resolver, "resolver");
        Cache own = new Cache(DClass.IN);
        return new MxResolver(() -> resolver, () -> own);
    }

    /**
     * The mail hosts of {@code domain}, most preferred first, equal preferences shuffled
     * (RFC 5321 5.1 asks senders to spread load across them), each with its addresses.
     */
    public Answer lookup(String domain) {
        try {
            return lookupMx(domain);
        } catch (RuntimeException e) {
            // dnsjava reports most failures as results, but a resolver bug must not escape into a
            // delivery: it is a failure to try again later, like a DNS server that did not answer.
            return Answer.temporaryFailure("DNS lookup of " + domain + " failed: " + e);
        }
    }

    private Answer lookupMx(String domain) {
        Result mx = query(domain, Type.MX);
        switch (mx.status) {
            case NO_SUCH_NAME:
                return Answer.noSuchDomain(domain + ": no such domain (NXDOMAIN)");
            case TEMPORARY:
                return Answer.temporaryFailure("temporary DNS failure looking up MX of " + domain + ": " + mx.error);
            case NO_RECORDS:
                return implicitMx(domain);
            case FOUND:
            default:
                return mxHosts(domain, mx.records);
        }
    }

    /**
     * No MX record: the domain itself is the mail host (RFC 5321 5.1, the "implicit MX"), if it
     * has an address. Without one the domain cannot receive mail, which is final.
     */
    private Answer implicitMx(String domain) {
        Addresses addresses = addresses(domain);
        if (addresses.temporaryError.isPresent()) {
            return Answer.temporaryFailure("temporary DNS failure looking up the address of " + domain + " (it has no MX): "
                + addresses.temporaryError.get());
        }
        if (addresses.found.isEmpty()) {
            return Answer.noSuchDomain(domain + ": no MX and no address record");
        }
        return new Answer(Kind.HOSTS, "", List.of(new MxHost(domain, 0, addresses.found)), List.of());
    }

    private Answer mxHosts(String domain, List<Record> records) {
        List<MXRecord> mx = new ArrayList<>();
        records.stream().filter(MXRecord.class::isInstance).map(MXRecord.class::cast).forEach(mx::add);
        // RFC 7505: a single MX whose target is the root (".") says the domain accepts no mail.
        if (!mx.isEmpty() && mx.stream().allMatch(record -> record.getTarget().equals(Name.root))) {
            return Answer.nullMx(domain + " does not accept mail (null MX)");
        }
        List<String> skipped = new ArrayList<>();
        List<MxHost> hosts = new ArrayList<>();
        for (MXRecord record : byPreferenceShuffled(mx)) {
            String name = hostName(record.getTarget());
            Optional<String> unusable = record.getTarget().equals(Name.root)
                ? Optional.of("'.' (null MX) listed with other MX records")
                : RouteHost.hostNameProblem(name);
            if (unusable.isPresent()) {
                // Postfix and Exim skip a malformed MX name and go on with the others.
                skipped.add("MX host '" + name + "' of " + domain + " skipped: " + unusable.get());
                continue;
            }
            Addresses addresses = addresses(name);
            addresses.temporaryError.ifPresent(error -> skipped.add("MX host " + name + ": temporary DNS failure: " + error));
            if (addresses.found.isEmpty() && addresses.temporaryError.isEmpty()) {
                skipped.add("MX host " + name + ": unknown host");
            }
            if (!addresses.found.isEmpty()) {
                hosts.add(new MxHost(name, record.getPriority(), addresses.found));
            }
        }
        return new Answer(Kind.HOSTS, "", hosts, skipped);
    }

    private static List<MXRecord> byPreferenceShuffled(List<MXRecord> records) {
        Map<Integer, List<MXRecord>> byPreference = new LinkedHashMap<>();
        records.stream().sorted(Comparator.comparingInt(MXRecord::getPriority))
            .forEach(record -> byPreference.computeIfAbsent(record.getPriority(), p -> new ArrayList<>()).add(record));
        List<MXRecord> ordered = new ArrayList<>();
        for (List<MXRecord> equal : byPreference.values()) {
            Collections.shuffle(equal);
            ordered.addAll(equal);
        }
        return ordered;
    }

    /** IPv4 addresses, as James's DNS service resolves hosts; IPv6 ones only for a host without IPv4. */
    private Addresses addresses(String host) {
        Result a = query(host, Type.A);
        if (a.status == Status.TEMPORARY) {
            return new Addresses(List.of(), Optional.of(a.error));
        }
        List<InetAddress> found = new ArrayList<>();
        a.records.stream().filter(ARecord.class::isInstance).forEach(record -> found.add(withName(host, ((ARecord) record).getAddress())));
        if (!found.isEmpty() || a.status == Status.NO_SUCH_NAME) {
            return new Addresses(found, Optional.empty());
        }
        Result aaaa = query(host, Type.AAAA);
        if (aaaa.status == Status.TEMPORARY) {
            return new Addresses(List.of(), Optional.of(aaaa.error));
        }
        aaaa.records.stream().filter(AAAARecord.class::isInstance)
            .forEach(record -> found.add(withName(host, ((AAAARecord) record).getAddress())));
        return new Addresses(found, Optional.empty());
    }

    private Result query(String name, int type) {
        Lookup lookup;
        try {
            // Absolute: a search path must never turn "example.org" into "example.org.corp.local".
            lookup = new Lookup(Name.fromString(name, Name.root), type, DClass.IN);
        } catch (TextParseException e) {
            return new Result(Status.NO_SUCH_NAME, List.of(), e.getMessage());
        }
        lookup.setResolver(resolver.get());
        lookup.setCache(cache.get());
        Record[] records = lookup.run();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL:
                return new Result(Status.FOUND, records == null ? List.of() : List.of(records), "");
            case Lookup.HOST_NOT_FOUND:
                return new Result(Status.NO_SUCH_NAME, List.of(), lookup.getErrorString());
            case Lookup.TYPE_NOT_FOUND:
                return new Result(Status.NO_RECORDS, List.of(), lookup.getErrorString());
            case Lookup.TRY_AGAIN:
            case Lookup.UNRECOVERABLE:
            default:
                // SERVFAIL, REFUSED, a timeout, a network error, a broken referral: the DNS did
                // not answer the question, so nothing final may be concluded (Postfix defers too).
                return new Result(Status.TEMPORARY, List.of(), lookup.getErrorString());
        }
    }

    private static String hostName(Name name) {
        String text = name.toString(true);
        return text.toLowerCase(Locale.ROOT);
    }

    private static InetAddress withName(String host, InetAddress address) {
        try {
            return InetAddress.getByAddress(host, address.getAddress());
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** What a lookup concluded about a domain. */
    public enum Kind {
        /** Mail hosts were found (maybe none usable: then {@link Answer#problems()} says why). */
        HOSTS,
        /** RFC 7505 null MX: the domain accepts no mail. Final. */
        NULL_MX,
        /** The domain does not exist, or has neither MX nor address. Final. */
        NO_SUCH_DOMAIN,
        /** The DNS could not answer now (SERVFAIL, timeout): ask again later. */
        TEMPORARY_FAILURE
    }

    /** The answer about one domain: its kind, what went wrong, and the usable mail hosts. */
    public static final class Answer {
        private final Kind kind;
        private final String detail;
        private final List<MxHost> hosts;
        private final List<String> problems;

        Answer(Kind kind, String detail, List<MxHost> hosts, List<String> problems) {
            this.kind = kind;
            this.detail = detail;
            this.hosts = List.copyOf(hosts);
            this.problems = List.copyOf(problems);
        }

        static Answer nullMx(String detail) {
            return new Answer(Kind.NULL_MX, detail, List.of(), List.of());
        }

        static Answer noSuchDomain(String detail) {
            return new Answer(Kind.NO_SUCH_DOMAIN, detail, List.of(), List.of());
        }

        static Answer temporaryFailure(String detail) {
            return new Answer(Kind.TEMPORARY_FAILURE, detail, List.of(), List.of());
        }

        public Kind kind() {
            return kind;
        }

        /** Why the lookup gave no hosts; empty for {@link Kind#HOSTS}. */
        public String detail() {
            return detail;
        }

        /** The usable mail hosts, most preferred first. */
        public List<MxHost> hosts() {
            return hosts;
        }

        /** MX hosts left out, and why: an unusable name, no address, a failed address lookup. */
        public List<String> problems() {
            return problems;
        }

        @Override
        public String toString() {
            return kind + (detail.isEmpty() ? "" : " (" + detail + ")") + " " + hosts + " " + problems;
        }
    }

    /** One mail host: its name, its MX preference (0 is tried first) and its addresses. */
    public static final class MxHost {
        private final String name;
        private final int preference;
        private final List<InetAddress> addresses;

        MxHost(String name, int preference, List<InetAddress> addresses) {
            this.name = name;
            this.preference = preference;
            this.addresses = List.copyOf(addresses);
        }

        public String name() {
            return name;
        }

        public int preference() {
            return preference;
        }

        public List<InetAddress> addresses() {
            return addresses;
        }

        @Override
        public String toString() {
            return name + "/pref=" + preference + addresses;
        }
    }

    private enum Status { FOUND, NO_RECORDS, NO_SUCH_NAME, TEMPORARY }

    /** One dnsjava lookup, reduced to what the decisions above need. */
    private static final class Result {
        private final Status status;
        private final List<Record> records;
        private final String error;

        Result(Status status, List<Record> records, String error) {
            this.status = status;
            this.records = records;
            this.error = error == null ? "" : error;
        }
    }

    /** The addresses of one host, or the temporary error that kept them unknown. */
    private static final class Addresses {
        private final List<InetAddress> found;
        private final Optional<String> temporaryError;

        Addresses(List<InetAddress> found, Optional<String> temporaryError) {
            this.found = found;
            this.temporaryError = temporaryError;
        }
    }
}
