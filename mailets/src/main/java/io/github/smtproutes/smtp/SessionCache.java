package io.github.smtproutes.smtp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.mail.Session;

/**
 * Keeps the javax.mail {@link Session}s of closed connections for the next connection with the
 * same settings. A new Session is costly: its constructor searches the whole class path for
 * javax.mail's provider and address-map files, which in James (some 300 jars) costs more CPU than
 * a whole pooled mail transaction. A Session is cheap to keep and holds no secret (credentials go
 * to the transport, never into properties).
 *
 * <p>A Session serves one connection at a time, because {@link SmtpConnection} sets the envelope
 * sender as a session property before each transaction: a connection takes a {@link Lease} when
 * it opens and gives it back when it closes. The cache is bounded: a few settings variants (one
 * per route security) times the sessions open at once.
 */
final class SessionCache {
    private static final int MAX_KEYS = 256;
    private static final int MAX_PER_KEY = 64;

    private static final Map<Map<Object, Object>, Deque<Session>> IDLE = new ConcurrentHashMap<>();

    private SessionCache() {
    }

    /** A Session with exactly {@code settings} (plus whatever envelope sender a last user left). */
    static Lease take(Properties settings) {
        Map<Object, Object> key = Map.copyOf(settings);
        Deque<Session> idle = IDLE.get(key);
        if (idle != null) {
            synchronized (idle) {
                Session recycled = idle.pollFirst();
                if (recycled != null) {
                    return new Lease(key, recycled);
                }
            }
        }
        Properties own = new Properties();
        own.putAll(settings);
        return new Lease(key, Session.getInstance(own));
    }

    private static void giveBack(Map<Object, Object> key, Session session) {
        if (IDLE.size() >= MAX_KEYS) {
            // Only after hundreds of distinct settings (many reloads): start over rather than grow.
            IDLE.clear();
        }
        Deque<Session> idle = IDLE.computeIfAbsent(key, ignored -> new ArrayDeque<>());
        synchronized (idle) {
            if (idle.size() < MAX_PER_KEY) {
                idle.addFirst(session);
            }
        }
    }

    /** One connection's use of a Session; {@link #giveBack()} once the transport is closed. */
    static final class Lease {
        private final Map<Object, Object> key;
        private final Session session;
        private final AtomicBoolean returned = new AtomicBoolean();

        private Lease(Map<Object, Object> key, Session session) {
            this.key = key;
            this.session = session;
        }

        Session session() {
            return session;
        }

        /** Returns the Session for the next connection; later calls do nothing. */
        void giveBack() {
            if (returned.compareAndSet(false, true)) {
                SessionCache.giveBack(key, session);
            }
        }
    }
}
