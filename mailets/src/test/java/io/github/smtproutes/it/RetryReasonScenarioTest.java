package io.github.smtproutes.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.github.smtproutes.retry.RetryKey;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Retry timing in a real James with the shipped file:// retry repository: a recipient whose
 * mailbox is full keeps its backoff while its route carries a mail every second; a mail waiting
 * for a host is retried as soon as that host answers through another route; and concurrent
 * deliverNow calls on a full queue, while the workers drain it, deliver each mail once.
 */
class RetryReasonScenarioTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    static final ScriptedSmtpServer BUSY = ScriptedSmtpServer.start().withName("busy")
        .rcptReply("full@busy.test", "452 4.2.2 Mailbox full");
    static final ScriptedSmtpServer SHARED = ScriptedSmtpServer.start().withName("shared")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Not now");
    static final ScriptedSmtpServer DRAIN = ScriptedSmtpServer.start().withName("drain")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Not now");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='busy.test'><host>" + BUSY.address() + "</host><retry initial='2s' max='1h' maxAttempts='5'/></route>"
            + "<route domain='hostwait.test'><host>" + SHARED.address() + "</host><retry initial='1h'/></route>"
            + "<route domain='proof.test'><host>" + SHARED.address() + "</host><retry initial='1s'/></route>"
            + "<route domain='drain.test'><host>" + DRAIN.address() + "</host><retry initial='1h'/></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        // A host down takes no mail until its backoff ends (then it gets a probe): a short backoff
        // lets the host that failed answer again within the test.
        .edit("mailetcontainer.xml", "<retryInterval>10s</retryInterval>",
            "<retryInterval>200ms</retryInterval><hostDownInitial>1s</hostDownInitial>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        List.of(BUSY, SHARED, DRAIN, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    /**
     * RFC 5321 4.5.4.1: retries MUST be delayed. The other mails of the route are accepted every
     * second, yet the full mailbox is asked again only after 2 s, then 4 s more, and so on; over
     * 12 s that is three times at most, and the mail is not bounced.
     */
    @Test
    void aFullMailboxKeepsItsBackoffWhileItsRouteCarriesAMailEverySecond(GuiceJamesServer server) throws Exception {
        int port = RoutesJames.smtpPort(server);
        String full = Mails.send(port, "full", "full@busy.test");
        long start = System.nanoTime();
        List<Long> askedAtMillis = new ArrayList<>();
        int sent = 0;
        while (System.nanoTime() - start < Duration.ofSeconds(12).toNanos()) {
            if (System.nanoTime() - start >= Duration.ofSeconds(sent).toNanos()) {
                Mails.send(port, "busy", "ok" + sent + "@busy.test");
                sent++;
            }
            long asked = BUSY.transcript().stream().filter(line -> line.contains("RCPT TO:<full@busy.test>")).count();
            while (askedAtMillis.size() < asked) {
                askedAtMillis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
            }
            Thread.sleep(50);
        }

        assertThat(BUSY.received().size()).isGreaterThanOrEqualTo(10);
        assertThat(askedAtMillis).hasSizeBetween(2, 3);
        for (int i = 1; i < askedAtMillis.size(); i++) {
            // 2 s, then 4 s (less the 50 ms this loop polls at)
            assertThat(askedAtMillis.get(i) - askedAtMillis.get(i - 1)).isGreaterThanOrEqualTo((2000L << (i - 1)) - 100);
        }
        assertThat(Mails.dsnsAbout(SENDERS, full)).isEmpty();
        assertThat(RetryQueueScenarioTest.waitingWithSubject(server, full)).hasSize(1);
    }

    /**
     * The host a mail waits for answers through another route (once its backoff is over, to that
     * route's probe or mail): the waiting mail goes at once, not in an hour.
     */
    @Test
    void aMailWaitingForAHostGoesAsSoonAsTheHostAnswersThroughAnotherRoute(GuiceJamesServer server) throws Exception {
        int port = RoutesJames.smtpPort(server);
        String waiting = Mails.send(port, "hostwait", "x@hostwait.test");
        await().atMost(PATIENCE).until(() -> !RetryQueueScenarioTest.waitingWithSubject(server, waiting).isEmpty());
        SHARED.heal();

        String proof = Mails.send(port, "proof", "y@proof.test");

        await().atMost(PATIENCE).until(() -> Mails.withSubject(SHARED, proof).size() == 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> Mails.withSubject(SHARED, waiting).size() == 1);
        await().atMost(PATIENCE).until(() -> RetryQueueScenarioTest.waitingWithSubject(server, waiting).isEmpty());
    }

    /**
     * An operator presses deliverNow several times at once, and again while the workers drain a
     * full file:// queue: every call answers 2xx, each mail arrives exactly once, and the
     * repository never deletes a mail as unreadable.
     */
    @Test
    void concurrentDeliverNowCallsWhileWorkersDrainDeliverEachMailOnce(GuiceJamesServer server) throws Exception {
        int port = RoutesJames.smtpPort(server);
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            subjects.add(Mails.send(port, "drain", "user" + i + "@drain.test"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> waitingOfRoute(server, "drain.test") == 100);
        DRAIN.heal();
        ListAppender<ILoggingEvent> repositoryLog = new ListAppender<>();
        repositoryLog.start();
        ch.qos.logback.classic.Logger fileRepository =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.james.mailrepository.file.FileMailRepository");
        fileRepository.addAppender(repositoryLog);
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        try {
            List<Thread> operators = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread operator = new Thread(() -> {
                    for (int call = 0; call < 8; call++) {
                        statuses.add(given().baseUri("http://127.0.0.1")
                            .port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue())
                            .post("/smtpRoutes/deliverNow").statusCode());
                        sleep(call == 0 ? 0 : 100);
                    }
                });
                operators.add(operator);
            }
            operators.forEach(Thread::start);
            for (Thread operator : operators) {
                operator.join();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingOfRoute(server, "drain.test") == 0);
        } finally {
            fileRepository.detachAppender(repositoryLog);
        }

        Map<String, Long> arrivals = DRAIN.received().stream()
            .collect(Collectors.groupingBy(mail -> mail.header("Subject").orElse(""), Collectors.counting()));
        assertThat(arrivals.keySet()).containsExactlyInAnyOrderElementsOf(subjects);
        assertThat(arrivals.values()).allSatisfy(count -> assertThat(count).isEqualTo(1L));
        assertThat(statuses).hasSize(32).allSatisfy(status -> assertThat(status).isBetween(200, 299));
        assertThat(repositoryLog.list).extracting(ILoggingEvent::getFormattedMessage)
            .noneSatisfy(line -> assertThat(line).contains("Exception retrieving mail"));
    }

    private static long waitingOfRoute(GuiceJamesServer server, String route) throws Exception {
        String tag = RetryKey.routeTag(route);
        Function<MailKey, Boolean> ofRoute = key -> RetryKey.parse(key.asString()).flatMap(RetryKey::routeTag).map(tag::equals).orElse(false);
        return RoutesJames.repositories(server).listMailKeys(RetryQueueScenarioTest.RETRY_REPOSITORY).stream()
            .filter(ofRoute::apply).count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
