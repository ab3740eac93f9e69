package io.github.smtproutes.smtp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that bounds what socket timeouts cannot: a write blocked on a receiver that
 * stopped reading, and a mail transaction that goes on too long. Every open
 * {@link WatchedSocket} is registered here; a few times a second the watchdog looks at each and
 * closes one whose current write or transaction is past its bound. The blocked thread then gets
 * an I/O error, and the session ends like any other host that stopped answering.
 *
 * <p>A sweep rather than a timer per write: a write costs two volatile stores instead of a
 * scheduled task, and a bound of minutes does not need better than a quarter second. Shared by
 * the whole JVM and a daemon, so that it never keeps James from exiting.
 */
final class SocketWatchdog {
    private static final long SWEEP_MILLIS = 250;
    private static final Set<WatchedSocket> WATCHED = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService SWEEPER = startSweeper();

    private SocketWatchdog() {
    }

    static void watch(WatchedSocket socket) {
        WATCHED.add(socket);
    }

    static void forget(WatchedSocket socket) {
        WATCHED.remove(socket);
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (WatchedSocket socket : WATCHED) {
            try {
                socket.closeIfOverdue(now);
            } catch (RuntimeException e) {
                // One socket's trouble must not stop the watch over the others.
                forget(socket);
            }
        }
    }

    private static ScheduledExecutorService startSweeper() {
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smtp-routes-socket-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(SocketWatchdog::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        return sweeper;
    }
}
