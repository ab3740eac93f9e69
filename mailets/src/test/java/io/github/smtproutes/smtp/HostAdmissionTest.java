package io.github.smtproutes.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.smtproutes.testing.MovableClock;

/**
 * Who may try a host now: a proven host anyone, a host never heard from a few at once, a host
 * inside its backoff nobody, past it one probe; and the bounded wait for a pending verdict.
 */
class HostAdmissionTest {
    static final String HOST = "127.0.0.1:2525";
    static final String ROUTE = "a.test";
    final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final HostFailures failures = new HostFailures(clock);
    final HostAdmission admission = new HostAdmission(failures);

    @Test
    void aHostNeverHeardFromTakesAFewSessionsAtOnceAProvenOneAny() {
        HostAdmission.Turn first = admission.admit(HOST, ROUTE, false);
        HostAdmission.Turn second = admission.admit(HOST, ROUTE, false);
        assertThat(first.isAdmitted()).isTrue();
        assertThat(second.isAdmitted()).isTrue();
        HostAdmission.Turn third = admission.admit(HOST, ROUTE, false);
        assertThat(third.kind()).isEqualTo(HostAdmission.Kind.PROVING);

        first.close();
        first.close();
        assertThat(admission.admit(HOST, ROUTE, false).isAdmitted()).as("one place freed, once").isTrue();
        assertThat(admission.admit(HOST, ROUTE, false).isAdmitted()).isFalse();

        failures.answered(HOST);
        for (int i = 0; i < 50; i++) {
            assertThat(admission.admit(HOST, ROUTE, false).isAdmitted()).isTrue();
        }
    }

    @Test
    void aHostInsideItsBackoffTakesNothingEvenForADeliveryThatMayWait() {
        failures.failed(HOST, "421 4.3.2 busy");
        long start = System.nanoTime();
        HostAdmission.Turn turn = admission.admit(HOST, ROUTE, true);
        assertThat(turn.kind()).isEqualTo(HostAdmission.Kind.DOWN);
        assertThat(turn.reason()).contains(HOST).contains("421 4.3.2 busy");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    }

    @Test
    void pastItsBackoffAFailedHostGetsOneProbeAndNoMail() {
        failures.failed(HOST, "421 4.3.2 busy");
        clock.advance(Duration.ofSeconds(31));

        HostAdmission.Turn probe = admission.admit(HOST, ROUTE, false);
        assertThat(probe.isProbe()).isTrue();
        assertThat(probe.isAdmitted()).as("a probe carries no mail").isFalse();
        assertThat(admission.admit(HOST, ROUTE, false).kind()).isEqualTo(HostAdmission.Kind.PROBING);

        // A probe that ended without a verdict gives its turn back: the next one probes again.
        probe.close();
        HostAdmission.Turn again = admission.admit(HOST, ROUTE, false);
        assertThat(again.isProbe()).isTrue();

        failures.answered(HOST);
        again.close();
        assertThat(admission.admit(HOST, ROUTE, false).isAdmitted()).isTrue();
    }

    @Test
    void aRouteWhoseAuthWasRefusedIsDownAtTheHostWhileAnotherRouteIsAdmitted() {
        failures.answered(HOST);
        failures.failedForRoute(HOST, ROUTE, "535 5.7.8 Authentication credentials invalid");

        assertThat(admission.admit(HOST, ROUTE, false).kind()).isEqualTo(HostAdmission.Kind.DOWN);
        for (int i = 0; i < 30; i++) {
            assertThat(admission.admit(HOST, "b.test", false).isAdmitted()).isTrue();
        }
    }

    @Test
    void aDeliveryThatMayWaitIsAdmittedTheMomentTheFirstSessionsAnswer() throws Exception {
        HostAdmission.Turn first = admission.admit(HOST, ROUTE, false);
        HostAdmission.Turn second = admission.admit(HOST, ROUTE, false);
        CompletableFuture<HostAdmission.Turn> waiting = CompletableFuture.supplyAsync(() -> admission.admit(HOST, ROUTE, true));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();

        failures.answered(HOST);
        first.close();

        assertThat(waiting.get(5, TimeUnit.SECONDS).isAdmitted()).isTrue();
        second.close();
    }

    @Test
    void aDeliveryWaitingOnAHostThatFailsMovesOnAtOnce() throws Exception {
        HostAdmission.Turn first = admission.admit(HOST, ROUTE, false);
        admission.admit(HOST, ROUTE, false);
        CompletableFuture<HostAdmission.Turn> waiting = CompletableFuture.supplyAsync(() -> admission.admit(HOST, ROUTE, true));
        Thread.sleep(200);

        failures.failed(HOST, "Connection refused");
        first.close();

        assertThat(waiting.get(5, TimeUnit.SECONDS).kind()).isEqualTo(HostAdmission.Kind.DOWN);
    }

    @Test
    void theWaitIsBoundedAndAHostThatOverranItMakesNobodyWaitUntilASessionEnds() {
        admission.configureWait(Duration.ofMillis(300), 10);
        HostAdmission.Turn first = admission.admit(HOST, ROUTE, false);
        admission.admit(HOST, ROUTE, false);

        HostAdmission.Turn late = admission.admit(HOST, ROUTE, true);
        assertThat(late.kind()).isEqualTo(HostAdmission.Kind.PROVING);
        assertThat(late.reason()).contains("no verdict within 300 ms");

        long start = System.nanoTime();
        assertThat(admission.admit(HOST, ROUTE, true).kind()).isEqualTo(HostAdmission.Kind.PROVING);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("no second wait").isLessThan(250);

        first.close();
        assertThat(admission.admit(HOST, ROUTE, true).isAdmitted()).as("a place freed").isTrue();
    }

    @Test
    void theNumberOfWaitingDeliveriesIsBounded() throws Exception {
        admission.configureWait(Duration.ofSeconds(20), 1);
        HostAdmission.Turn first = admission.admit(HOST, ROUTE, false);
        admission.admit(HOST, ROUTE, false);
        CompletableFuture<HostAdmission.Turn> waiting = CompletableFuture.supplyAsync(() -> admission.admit(HOST, ROUTE, true));
        Thread.sleep(200);

        HostAdmission.Turn refused = admission.admit(HOST, ROUTE, true);
        assertThat(refused.kind()).isEqualTo(HostAdmission.Kind.PROVING);
        assertThat(refused.reason()).contains("too many deliveries waiting");

        failures.answered(HOST);
        first.close();
        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        assertThat(waiting.get().isAdmitted()).isTrue();
    }
}
