package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.restassured.specification.RequestSpecification;

import io.github.smtproutes.retry.RetryState;
import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * The retry queue in a real James with the shipped file:// repository: a mail every host
 * deferred waits there and is delivered once a host heals; a mail deferred past its limits
 * comes back to the sender as a DSN carrying the last reply; of a partly accepted mail only the
 * deferred recipient waits; a delay warning goes out once; a delivery on a route flushes its
 * mails waiting for a host. Retries are made fast by the route's {@code <retry>} and a 200 ms tick.
 */
class RetryQueueScenarioTest {
    static final MailRepositoryUrl RETRY_REPOSITORY = MailRepositoryUrl.from("file://var/mail/smtp-routes/retry/");
    static final Duration PATIENCE = Duration.ofSeconds(30);

    static final ScriptedSmtpServer HEALING = ScriptedSmtpServer.start().withName("healing")
        .reply(SmtpPhase.RCPT, "451 4.3.0 Temporarily unavailable");
    static final ScriptedSmtpServer FULL = ScriptedSmtpServer.start().withName("full")
        .reply(SmtpPhase.RCPT, "452 4.2.2 Mailbox full");
    static final ScriptedSmtpServer MIXED = ScriptedSmtpServer.start().withName("mixed")
        .rcptReply("later@partial.test", "450 4.2.1 Try again later")
        .rcptReply("never@partial.test", "550 5.1.1 No such user");
    static final ScriptedSmtpServer SLOW = ScriptedSmtpServer.start().withName("slow")
        .reply(SmtpPhase.RCPT, "451 4.4.5 Busy, come back later");
    static final ScriptedSmtpServer FLUSHED = ScriptedSmtpServer.start().withName("flushed")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Not now");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='heal.test'><host>" + HEALING.address() + "</host><retry initial='1s' max='1s'/></route>"
            + "<route domain='expire.test'><host>" + FULL.address() + "</host><retry initial='1s' max='1s' maxAttempts='3'/></route>"
            + "<route domain='partial.test'><host>" + MIXED.address() + "</host><retry initial='1s' max='1s'/></route>"
            + "<route domain='delay.test' delayWarning='2s'><host>" + SLOW.address() + "</host><retry initial='1s' max='1s'/></route>"
            + "<route domain='flush.test'><host>" + FLUSHED.address() + "</host><retry initial='1h'/></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        // A host down takes no mail until its backoff ends (then it gets a probe): a short backoff
        // lets a host that failed answer again within a test.
        .edit("mailetcontainer.xml", "<retryInterval>10s</retryInterval>",
            "<retryInterval>200ms</retryInterval><hostDownInitial>1s</hostDownInitial>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        List.of(HEALING, FULL, MIXED, SLOW, FLUSHED, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void aMailEveryHostDeferredWaitsInTheRepositoryAndIsDeliveredOnceAHostHeals(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "heal", "user@heal.test");

        await().atMost(PATIENCE).until(() -> attemptsOf(server, subject) >= 2);
        Mail waiting = waitingWithSubject(server, subject).get(0);
        assertThat(RetryState.lastError(waiting)).contains("451 4.3.0 Temporarily unavailable");
        assertThat(RetryState.route(waiting)).contains("heal.test");
        assertThat(MAIL_LOG.linesContaining("Message queued for retry")).anySatisfy(line -> assertThat(line).contains("attempt 2 next "));
        // The key changes at every retry (it carries the due time): look again until one read sees it.
        await().atMost(PATIENCE).untilAsserted(() -> assertVisibleInWebAdmin(server, waitingWithSubject(server, subject).get(0).getName()));

        HEALING.heal();
        await().atMost(PATIENCE).until(() -> countWithSubject(HEALING, subject) == 1);
        await().atMost(PATIENCE).until(() -> waitingWithSubject(server, subject).isEmpty());
        assertThat(countWithSubject(HEALING, subject)).isEqualTo(1);
    }

    @Test
    void aMailDeferredPastItsLimitsReturnsToTheSenderAsADsnWithTheLastReply(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "expire", "user@expire.test");

        ReceivedMail dsn = awaitDsn(subject, "Action: failed");
        assertThat(dsn.recipients()).containsExactly(Mails.SENDER);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.data()).contains(
            "report-type=delivery-status",
            "Final-Recipient: rfc822; user@expire.test",
            "Status: 4.2.2\r\n",
            "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\r\n")
            .doesNotContain("Will-Retry-Until");
        assertThat(waitingWithSubject(server, subject)).isEmpty();
        assertThat(FULL.received()).isEmpty();
        assertThat(MAIL_LOG.linesContaining("Message expired/bounced")).anySatisfy(line -> assertThat(line).contains("after 3 attempts", "452 4.2.2"));
    }

    @Test
    void ofAPartlyAcceptedMailOnlyTheDeferredRecipientWaitsAndTheRefusedOneBounces(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "partial", "ok@partial.test", "later@partial.test", "never@partial.test");

        await().atMost(PATIENCE).until(() -> countWithSubject(MIXED, subject) == 1);
        assertThat(receivedWithSubject(MIXED, subject).get(0).recipients()).containsExactly("ok@partial.test");
        ReceivedMail bounce = awaitDsn(subject, "Action: failed");
        assertThat(bounce.data()).contains("Final-Recipient: rfc822; never@partial.test", "Status: 5.1.1\r\n",
                "Diagnostic-Code: smtp; 550 5.1.1 No such user")
            .doesNotContain("Final-Recipient: rfc822; later@partial.test");
        await().atMost(PATIENCE).until(() -> !waitingWithSubject(server, subject).isEmpty());
        assertThat(waitingWithSubject(server, subject).get(0).getRecipients()).extracting(Object::toString).containsExactly("later@partial.test");

        MIXED.clearRecipientReplies();
        await().atMost(PATIENCE).until(() -> countWithSubject(MIXED, subject) == 2);
        assertThat(receivedWithSubject(MIXED, subject).get(1).recipients()).containsExactly("later@partial.test");
        await().atMost(PATIENCE).until(() -> waitingWithSubject(server, subject).isEmpty());
    }

    @Test
    void aMailWaitingLongerThanTheDelayWarningGetsOneDelayedDsn(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "delay", "user@delay.test");

        ReceivedMail warning = awaitDsn(subject, "Action: delayed");
        assertThat(warning.data()).contains("Final-Recipient: rfc822; user@delay.test", "Status: 4.4.5\r\n",
            "Diagnostic-Code: smtp; 451 4.4.5 Busy, come back later", "Will-Retry-Until: ");
        await().atMost(PATIENCE).until(() -> attemptsOf(server, subject) >= 5);
        assertThat(dsnsFor(subject, "Action: delayed")).hasSize(1);
        assertThat(MAIL_LOG.linesContaining("Delay warning sent")).hasSize(1);
        assertThat(RetryState.delayWarned(waitingWithSubject(server, subject).get(0))).isTrue();
        SLOW.heal();
        await().atMost(PATIENCE).until(() -> countWithSubject(SLOW, subject) == 1);
    }

    @Test
    void aDeliveryOnARouteMakesItsMailsWaitingForAHostDueAtOnce(GuiceJamesServer server) throws Exception {
        int port = RoutesJames.smtpPort(server);
        String stuck = Mails.send(port, "stuck", "stuck@flush.test");
        await().atMost(PATIENCE).until(() -> !waitingWithSubject(server, stuck).isEmpty());

        // The waiting mail is due in one hour; only the flush when the host answers again can
        // bring it out sooner. (A mail refused at its own RCPT keeps its backoff instead.)
        FLUSHED.heal();
        // Inside its backoff the host takes no mail at all; past it, the next mail's probe finds it back.
        await().atMost(PATIENCE).until(() -> !"down".equals(hostState(server, FLUSHED.address())));
        String fresh = Mails.send(port, "fresh", "other@flush.test");
        await().atMost(PATIENCE).until(() -> countWithSubject(FLUSHED, fresh) == 1);
        await().atMost(PATIENCE).until(() -> countWithSubject(FLUSHED, stuck) == 1);
        await().atMost(PATIENCE).until(() -> waitingWithSubject(server, stuck).isEmpty());
    }

    /** The endpoint's state in WebAdmin's host view ("up" or "down"; null before James talked to it). */
    private static String hostState(GuiceJamesServer server, String endpoint) {
        return given().baseUri("http://127.0.0.1").port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue())
            .get("/smtpRoutes/hosts").then().statusCode(200).extract().jsonPath()
            .getString("find { it.endpoint == '" + endpoint + "' }.state");
    }

    /** An admin sees the waiting mail in WebAdmin's ordinary mail-repository view, its bookkeeping as plain text. */
    private static void assertVisibleInWebAdmin(GuiceJamesServer server, String key) {
        String repository = "/mailRepositories/" + URLEncoder.encode("var/mail/smtp-routes/retry/", StandardCharsets.UTF_8);
        RequestSpecification webAdmin = given().urlEncodingEnabled(false).baseUri("http://127.0.0.1")
            .port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue());
        webAdmin.get(repository + "/mails").then().statusCode(200).body("", hasItem(key));
        webAdmin.accept("application/json").get(repository + "/mails/" + key + "?additionalFields=attributes").then().statusCode(200)
            .body("recipients", contains("user@heal.test"))
            .body("attributes.'smtp-routes.route'", equalTo("heal.test"))
            .body("attributes.'smtp-routes.last-error'", equalTo("451 4.3.0 Temporarily unavailable"))
            .body("attributes.'smtp-routes.next-attempt'", matchesPattern("\\d{4}-\\d{2}-\\d{2}T.*Z"))
            .body("attributes.'smtp-routes.first-attempt'", matchesPattern("\\d{4}-\\d{2}-\\d{2}T.*Z"));
    }

    private static ReceivedMail awaitDsn(String subject, String action) {
        await().atMost(PATIENCE).until(() -> !dsnsFor(subject, action).isEmpty());
        return dsnsFor(subject, action).get(0);
    }

    private static List<ReceivedMail> dsnsFor(String subject, String action) {
        return SENDERS.received().stream()
            .filter(mail -> mail.data().contains(subject) && mail.data().contains(action))
            .collect(Collectors.toList());
    }

    static int attemptsOf(GuiceJamesServer server, String subject) throws Exception {
        return waitingWithSubject(server, subject).stream().mapToInt(RetryState::attempts).max().orElse(0);
    }

    static List<Mail> waitingWithSubject(GuiceJamesServer server, String subject) throws Exception {
        MailRepositoryProbeImpl repositories = RoutesJames.repositories(server);
        List<Mail> waiting = new ArrayList<>();
        for (MailKey key : repositories.listMailKeys(RETRY_REPOSITORY)) {
            Mail mail = repositories.getMail(RETRY_REPOSITORY, key);
            if (mail != null && subject.equals(mail.getMessage().getSubject())) {
                waiting.add(mail);
            }
        }
        return waiting;
    }

    static List<ReceivedMail> receivedWithSubject(ScriptedSmtpServer host, String subject) {
        return host.received().stream().filter(mail -> subject.equals(mail.header("Subject").orElse(""))).collect(Collectors.toList());
    }

    static long countWithSubject(ScriptedSmtpServer host, String subject) {
        return receivedWithSubject(host, subject).size();
    }
}
