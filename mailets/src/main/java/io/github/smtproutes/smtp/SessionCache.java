package io.github.smtproutes.smtp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import javax.mail.Session;

/**
 * Keeps the javax.mail {@link Session}s of closed connections for the next connection with the
 * same settings. A new Session is costly: its constructor searches the whole class path for
 * javax.mail's provider and address-map files, which in James (some 300 jars) costs more CPU than
 * a whole pooled mail transaction. A Session is cheap to keep and holds no secret (credentials go
 * to the transport, never into properties).
 *
 * <p>A Session serves one connection at a time, because {@link SmtpConnection} sets the envelope
 * sender as a session property before each transaction. It is taken here when a connection
 * opens and given back when that connection closes. The cache is bounded: a few settings
 * variants (one per route security) times the sessions open at once.
 */
final class SessionCache {
    private static final int MAX_KEYS = 256;
    private static final int MAX_PER_KEY = 64;

    private static final Map<Map<Object, Object>, Deque<Session>> IDLE = new ConcurrentHashMap<>();

    private SessionCache() {
    }

    /** A Session with exactly {@code settings} (plus whatever envelope sender a last user left). */
    static Session take(Properties settings) {
        Map<Object, Object> key = Map.copyOf(settings);
        Deque<Session> idle = IDLE.get(key);
        if (idle != null) {
            synchronized (idle) {
                Session recycled = idle.pollFirst();
                if (recycled != null) {
                    return recycled;
                }
            }
        }
        Properties own = new Properties();
        own.putAll(settings);
        return Session.getInstance(own);
    }

    /** Gives back the Session of a closed connection, which was taken with {@code settings}. */
    static void giveBack(Properties settings, Session session) {
        if (IDLE.size() >= MAX_KEYS) {
            // Only after hundreds of distinct settings (many reloads): start over rather than grow.
            IDLE.clear();
        }
        Deque<Session> idle = IDLE.computeIfAbsent(Map.copyOf(settings), key -> new ArrayDeque<>());
        synchronized (idle) {
            if (idle.size() < MAX_PER_KEY) {
                idle.addFirst(session);
            }
        }
    }
}
