package io.github.smtproutes.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * A DNS server on 127.0.0.1 (UDP) that answers what a test scripts, built on dnsjava's message
 * classes: MX, A and AAAA records, SERVFAIL, or silence (a resolver timeout) per name. A name
 * with no records is NXDOMAIN; a name with records of another type is NODATA. Every answer is
 * authoritative, with an SOA for negative answers, as a real zone server would send.
 */
public final class ScriptedDnsServer implements AutoCloseable {
    private static final long TTL = 60;
    private static final Name ZONE = Name.root;

    private final DatagramSocket socket;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final List<String> questions = new CopyOnWriteArrayList<>();
    private final Thread loop;

    private ScriptedDnsServer(DatagramSocket socket) {
        this.socket = socket;
        this.loop = new Thread(this::serve, "scripted-dns-" + socket.getLocalPort());
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /** A server on 127.0.0.1, on a free port. */
    public static ScriptedDnsServer start() {
        try {
            return new ScriptedDnsServer(new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:port}, as a resolver setting. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** An MX record of {@code domain}; {@code "."} as target is a null MX (RFC 7505). */
    public ScriptedDnsServer mx(String domain, int preference, String target) {
        Name owner = name(domain);
        return add(new MXRecord(owner, DClass.IN, TTL, preference, name(target)));
    }

    public ScriptedDnsServer a(String host, String ipv4) {
        return add(new ARecord(name(host), DClass.IN, TTL, address(ipv4)));
    }

    public ScriptedDnsServer aaaa(String host, String ipv6) {
        return add(new AAAARecord(name(host), DClass.IN, TTL, address(ipv6)));
    }

    /** A TXT record: the name exists, without any mail record. */
    public ScriptedDnsServer txt(String name, String text) {
        return add(new TXTRecord(name(name), DClass.IN, TTL, text));
    }

    /** Every question about {@code name} gets SERVFAIL. */
    public ScriptedDnsServer servfail(String name) {
        servfail.add(name(name));
        return this;
    }

    /** Answers questions about {@code name} from its records again (undoes servfail and silent). */
    public ScriptedDnsServer answer(String name) {
        servfail.remove(name(name));
        silent.remove(name(name));
        return this;
    }

    /** Every question about {@code name} goes unanswered: the resolver times out. */
    public ScriptedDnsServer silent(String name) {
        silent.add(name(name));
        return this;
    }

    /** The questions received, as {@code "name TYPE"}, e.g. {@code "x.test. MX"}. */
    public List<String> questions() {
        return List.copyOf(questions);
    }

    private ScriptedDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), owner -> new CopyOnWriteArrayList<>()).add(record);
        return this;
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Record question = query.getQuestion();
                questions.add(question.getName() + " " + org.xbill.DNS.Type.string(question.getType()));
                if (silent.contains(question.getName())) {
                    continue;
                }
                byte[] reply = answer(query, question).toWire();
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                // A malformed query is ignored, as a real server would drop it.
            }
        }
    }

    private Message answer(Message query, Record question) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
            response.getHeader().setFlag(Flags.RA);
        }
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        if (servfail.contains(name)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        List<Record> owned = records.getOrDefault(name, List.of());
        List<Record> matching = new ArrayList<>();
        owned.stream().filter(record -> record.getType() == question.getType()).forEach(matching::add);
        if (owned.isEmpty()) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (matching.isEmpty()) {
            response.addRecord(soa(), Section.AUTHORITY);
        }
        matching.forEach(record -> response.addRecord(record, Section.ANSWER));
        return response;
    }

    private static SOARecord soa() {
        return new SOARecord(ZONE, DClass.IN, TTL, name("ns.test"), name("hostmaster.test"), 1, 3600, 600, 86400, TTL);
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
