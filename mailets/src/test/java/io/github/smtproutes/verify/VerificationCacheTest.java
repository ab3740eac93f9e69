package io.github.smtproutes.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.google.common.base.Ticker;

import io.github.smtproutes.smtp.SmtpReply;

/**
 * The call-ahead cache on its own: positive and negative results kept for their own time,
 * "no answer" never kept, a bounded size, clearing, and one call-ahead per address however many
 * lookups ask at once.
 */
class VerificationCacheTest {
    static final Verification ACCEPTED = Verification.accepted(SmtpReply.parse("250 2.1.5 Ok"), "127.0.0.1:25");
    static final Verification REFUSED = Verification.refused(SmtpReply.parse("550 5.1.1 No such user"), "127.0.0.1:25");
    static final Verification NO_ANSWER = Verification.noAnswer("421 4.3.2 try later");

    final FakeTicker ticker = new FakeTicker();
    final VerificationCache cache = new VerificationCache(Duration.ofMinutes(60), Duration.ofMinutes(10), 100, ticker);
    final AtomicInteger started = new AtomicInteger();

    @Test
    void aMissStartsOneCallAheadAndItsResultIsCached() throws Exception {
        Verification first = cache.lookup("u@a.test", answering(ACCEPTED)).get();
        Verification second = cache.lookup("u@a.test", answering(REFUSED)).get();

        assertThat(first.isAccepted()).isTrue();
        assertThat(first.fromCache()).isFalse();
        assertThat(second.isAccepted()).isTrue();
        assertThat(second.fromCache()).isTrue();
        assertThat(started).hasValue(1);
        assertThat(cache.stats().positiveSize).isEqualTo(1);
        assertThat(cache.stats().positiveHits).isGreaterThanOrEqualTo(1);
        assertThat(cache.stats().misses).isEqualTo(1);
    }

    @Test
    void positiveAndNegativeResultsExpireEachAfterItsOwnTime() throws Exception {
        cache.lookup("known@a.test", answering(ACCEPTED)).get();
        cache.lookup("unknown@a.test", answering(REFUSED)).get();
        assertThat(cache.stats().negativeSize).isEqualTo(1);

        ticker.advance(Duration.ofMinutes(11));
        assertThat(cache.cached("unknown@a.test")).isEmpty();
        assertThat(cache.cached("known@a.test")).hasValueSatisfying(found -> assertThat(found.isAccepted()).isTrue());

        ticker.advance(Duration.ofMinutes(50));
        assertThat(cache.cached("known@a.test")).isEmpty();
        cache.lookup("known@a.test", answering(ACCEPTED)).get();
        assertThat(started).hasValue(3);
    }

    @Test
    void noAnswerIsNeverCachedSoTheNextLookupAsksAgain() throws Exception {
        cache.lookup("u@a.test", answering(NO_ANSWER)).get();
        Verification again = cache.lookup("u@a.test", answering(ACCEPTED)).get();

        assertThat(again.isAccepted()).isTrue();
        assertThat(again.fromCache()).isFalse();
        assertThat(started).hasValue(2);
    }

    @Test
    void aNewAnswerReplacesTheOtherKind() {
        cache.store("u@a.test", REFUSED);
        cache.store("u@a.test", ACCEPTED);

        assertThat(cache.cached("u@a.test")).hasValueSatisfying(found -> assertThat(found.isAccepted()).isTrue());
        assertThat(cache.stats().negativeSize).isZero();
    }

    @Test
    void eachCacheHoldsAtMostItsSize() {
        VerificationCache small = new VerificationCache(Duration.ofHours(1), Duration.ofHours(1), 10, ticker);
        for (int i = 0; i < 50; i++) {
            small.store("user" + i + "@a.test", ACCEPTED);
            small.store("gone" + i + "@a.test", REFUSED);
        }

        assertThat(small.stats().positiveSize).isLessThanOrEqualTo(10);
        assertThat(small.stats().negativeSize).isLessThanOrEqualTo(10);
        assertThat(small.stats().evictions).isGreaterThanOrEqualTo(80);
    }

    @Test
    void clearAndInvalidateForget() throws Exception {
        cache.store("a@a.test", ACCEPTED);
        cache.store("b@a.test", REFUSED);
        cache.store("c@a.test", ACCEPTED);

        cache.invalidate("a@a.test");
        assertThat(cache.cached("a@a.test")).isEmpty();
        assertThat(cache.cached("c@a.test")).isPresent();

        cache.clear();
        assertThat(cache.stats().positiveSize).isZero();
        assertThat(cache.stats().negativeSize).isZero();
        cache.lookup("b@a.test", answering(ACCEPTED)).get();
        assertThat(started).hasValue(1);
    }

    @Test
    void concurrentLookupsOfOneAddressShareOneCallAhead() throws Exception {
        int callers = 16;
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        ExecutorService hosts = Executors.newCachedThreadPool();
        Consumer<CompletableFuture<Verification>> slowHost = promise -> {
            started.incrementAndGet();
            hosts.execute(() -> {
                await(release);
                promise.complete(ACCEPTED);
            });
        };
        try {
            CountDownLatch ready = new CountDownLatch(callers);
            List<Future<CompletableFuture<Verification>>> lookups = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                lookups.add(pool.submit(() -> {
                    ready.countDown();
                    await(ready);
                    return cache.lookup("same@a.test", slowHost);
                }));
            }
            List<CompletableFuture<Verification>> results = new ArrayList<>();
            for (Future<CompletableFuture<Verification>> lookup : lookups) {
                results.add(lookup.get(30, TimeUnit.SECONDS));
            }
            assertThat(cache.stats().inFlight).isEqualTo(1);
            release.countDown();

            for (CompletableFuture<Verification> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).isAccepted()).isTrue();
            }
            assertThat(started).hasValue(1);
            assertThat(cache.stats().joined).isEqualTo(callers - 1);
            assertThat(cache.stats().inFlight).isZero();
        } finally {
            release.countDown();
            pool.shutdownNow();
            hosts.shutdownNow();
        }
    }

    @Test
    void aStartThatThrowsStillCompletesAsNoAnswer() throws Exception {
        Verification result = cache.lookup("u@a.test", promise -> {
            throw new IllegalStateException("no thread left");
        }).get(5, TimeUnit.SECONDS);

        assertThat(result.isDefinite()).isFalse();
        assertThat(result.reply().text()).contains("no thread left");
        assertThat(cache.stats().inFlight).isZero();
    }

    private Consumer<CompletableFuture<Verification>> answering(Verification answer) {
        return promise -> {
            started.incrementAndGet();
            promise.complete(answer);
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Guava ticker moved by the test. */
    static final class FakeTicker extends Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration duration) {
            nanos.addAndGet(duration.toNanos());
        }
    }
}
