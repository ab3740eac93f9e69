package io.github.smtproutes.verify;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * Remembers call-ahead results so that a recipient is not asked about on every RCPT, and makes
 * concurrent questions about one address share one call-ahead (single flight). Two Guava caches,
 * each bounded in size and expiring a fixed time after the answer was written:
 * <ul>
 *   <li><b>positive</b>: the host accepted the address (kept {@code positiveTtl});</li>
 *   <li><b>negative</b>: the host refused it with 5xx (kept {@code negativeTtl}, usually shorter,
 *   so that a mailbox created inside is reachable soon).</li>
 * </ul>
 * A verification that got no definite answer (4xx, no reply, timeout) is never cached: the next
 * RCPT asks again, as Postfix's verify and Exim's callout do. While a verification runs, every
 * other lookup of the same key receives the same future instead of starting its own.
 * Thread-safe; one instance per James, shared by every SMTP session.
 */
public final class VerificationCache {
    private final Cache<String, Verification> positive;
    private final Cache<String, Verification> negative;
    private final ConcurrentHashMap<String, CompletableFuture<Verification>> inFlight = new ConcurrentHashMap<>();
    private final Duration positiveTtl;
    private final Duration negativeTtl;
    private final long maxEntries;
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong joined = new AtomicLong();

    public VerificationCache(Duration positiveTtl, Duration negativeTtl, long maxEntries) {
        this(positiveTtl, negativeTtl, maxEntries, Ticker.systemTicker());
    }

    /** With the time source {@code ticker} (tests). */
    public VerificationCache(Duration positiveTtl, Duration negativeTtl, long maxEntries, Ticker ticker) {
        this.positiveTtl = positiveTtl;
        this.negativeTtl = negativeTtl;
        this.maxEntries = maxEntries;
        this.positive = build(positiveTtl, maxEntries, ticker);
        this.negative = build(negativeTtl, maxEntries, ticker);
    }

    private static Cache<String, Verification> build(Duration ttl, long maxEntries, Ticker ticker) {
        return CacheBuilder.newBuilder()
            .expireAfterWrite(ttl.toNanos(), TimeUnit.NANOSECONDS)
            .maximumSize(maxEntries)
            .ticker(ticker)
            .recordStats()
            .build();
    }

    /** The cached result for {@code key}, marked as from the cache; empty when none is fresh. */
    public Optional<Verification> cached(String key) {
        Verification found = positive.getIfPresent(key);
        if (found == null) {
            found = negative.getIfPresent(key);
        }
        return Optional.ofNullable(found).map(Verification::cached);
    }

    /**
     * The result for {@code key}: from the cache, from the verification already running for it,
     * or from a new one that {@code start} begins. {@code start} receives the future it must
     * complete (on any thread, always, even on failure); it is called for at most one caller at a
     * time per key. A definite result is cached when that future completes.
     */
    public CompletableFuture<Verification> lookup(String key, Consumer<CompletableFuture<Verification>> start) {
        Optional<Verification> cached = cached(key);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.get());
        }
        CompletableFuture<Verification> mine = new CompletableFuture<>();
        CompletableFuture<Verification> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            joined.incrementAndGet();
            return running;
        }
        // A verification may have ended (cached, then left the in-flight map) between the cache
        // lookup above and putIfAbsent: look again before asking a host a second time.
        cached = cached(key);
        if (cached.isPresent()) {
            inFlight.remove(key, mine);
            mine.complete(cached.get());
            return mine;
        }
        misses.incrementAndGet();
        // Cache first, then leave the in-flight map: a lookup that misses the map finds the cache.
        CompletableFuture<Verification> result = mine.whenComplete((verification, error) -> {
            if (verification != null) {
                store(key, verification);
            }
            inFlight.remove(key, mine);
        });
        try {
            start.accept(mine);
        } catch (RuntimeException e) {
            mine.complete(Verification.noAnswer("call-ahead could not start: " + e.getMessage()));
        }
        return result;
    }

    /** Caches a definite result in the cache of its kind; drops any older entry of the other kind. */
    public void store(String key, Verification verification) {
        if (verification.isAccepted()) {
            negative.invalidate(key);
            positive.put(key, verification);
        } else if (verification.isRefused()) {
            positive.invalidate(key);
            negative.put(key, verification);
        }
    }

    /** Forgets one address. */
    public void invalidate(String key) {
        positive.invalidate(key);
        negative.invalidate(key);
    }

    /** Forgets every cached result (verifications in flight still complete, and are cached). */
    public void clear() {
        positive.invalidateAll();
        negative.invalidateAll();
    }

    public Stats stats() {
        positive.cleanUp();
        negative.cleanUp();
        return new Stats(positive.size(), negative.size(), positive.stats().hitCount(), negative.stats().hitCount(),
            misses.get(), joined.get(), inFlight.size(),
            positive.stats().evictionCount() + negative.stats().evictionCount());
    }

    public Duration positiveTtl() {
        return positiveTtl;
    }

    public Duration negativeTtl() {
        return negativeTtl;
    }

    public long maxEntries() {
        return maxEntries;
    }

    /** The cache's figures at one moment. */
    public static final class Stats {
        /** Accepted addresses held. */
        public final long positiveSize;
        /** Refused addresses held. */
        public final long negativeSize;
        /** Lookups answered "accepted" from the cache. */
        public final long positiveHits;
        /** Lookups answered "refused" from the cache. */
        public final long negativeHits;
        /** Lookups that started a call-ahead. */
        public final long misses;
        /** Lookups that waited for a call-ahead already running for the same address. */
        public final long joined;
        /** Call-aheads running now. */
        public final int inFlight;
        /** Entries dropped because a cache was full or their time was up. */
        public final long evictions;

        Stats(long positiveSize, long negativeSize, long positiveHits, long negativeHits, long misses, long joined,
                int inFlight, long evictions) {
            this.positiveSize = positiveSize;
            this.negativeSize = negativeSize;
            this.positiveHits = positiveHits;
            this.negativeHits = negativeHits;
            this.misses = misses;
            this.joined = joined;
            this.inFlight = inFlight;
            this.evictions = evictions;
        }
    }
}
