package io.github.smtproutes.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;
import io.restassured.specification.RequestSpecification;

/**
 * Recipient verification by SMTP call-ahead in a real James booted from the shipped conf, with
 * 127.0.0.1 an outsider and scripted inside hosts: RCPT for an inbound route with
 * {@code verifyRecipients="callahead"} is answered as the route's own hosts answer
 * {@code MAIL FROM:<>} / {@code RCPT TO}, with the failover of a delivery, a bounded wait, the
 * route's {@code onVerifyFailure} when no host answers, and a cache shared by every session that
 * spares the hosts repeated and concurrent questions. Also the mail log and WebAdmin.
 */
class CallAheadTest {
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();
    static final ScriptedSmtpServer EXCHANGE = ScriptedSmtpServer.start().withName("exchange")
        .rcptReply("nobody@verify.test", "550 5.1.1 <nobody@verify.test>: Recipient address rejected: User unknown");
    static final ScriptedSmtpServer FLAKY = ScriptedSmtpServer.start().withName("flaky")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Service not available");
    static final ScriptedSmtpServer BACKUP = ScriptedSmtpServer.start().withName("backup");
    static final ScriptedSmtpServer DOWN = ScriptedSmtpServer.start().withName("down")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Service not available");
    static final String CLOSED = closedPort();
    static final ScriptedSmtpServer SLOW = ScriptedSmtpServer.start().withName("slow")
        .delayReply(SmtpPhase.RCPT, Duration.ofMillis(1500));
    static final ScriptedSmtpServer HANGING = ScriptedSmtpServer.start().withName("hanging").hang(SmtpPhase.RCPT);
    static final ScriptedSmtpServer PLAIN = ScriptedSmtpServer.start().withName("plain");
    static final ScriptedSmtpServer POOLED = ScriptedSmtpServer.start().withName("pooled");
    static final ScriptedSmtpServer LIMITED = ScriptedSmtpServer.start().withName("limited")
        .delayReply(SmtpPhase.RCPT, Duration.ofMillis(1000));

    @RegisterExtension
    static JamesServerExtension james = OutsiderJames.fromRepoConf()
        .edit("smtpserver.xml", "<routes>file://conf/smtproutes.xml</routes>",
            "<routes>file://conf/smtproutes.xml</routes>"
                + "<callAhead><timeout>5s</timeout><positiveTtl>1h</positiveTtl><negativeTtl>1h</negativeTtl>"
                + "<maxConnectionsPerHost>3</maxConnectionsPerHost></callAhead>")
        .routes(() -> "<smtproutes>"
            + "<route domain='verify.test' inbound='true' verifyRecipients='callahead'><host>" + EXCHANGE.address() + "</host></route>"
            + "<route domain='failover.test' inbound='true' verifyRecipients='callahead'>"
            + "<host priority='0'>" + FLAKY.address() + "</host><host priority='10'>" + BACKUP.address() + "</host></route>"
            + "<route domain='down.test' inbound='true' verifyRecipients='callahead'>"
            + "<host priority='0'>" + DOWN.address() + "</host><host priority='10'>" + CLOSED + "</host></route>"
            + "<route domain='down-accept.test' inbound='true' verifyRecipients='callahead' onVerifyFailure='accept'>"
            + "<host priority='0'>" + DOWN.address() + "</host><host priority='10'>" + CLOSED + "</host></route>"
            + "<route domain='slow.test' inbound='true' verifyRecipients='callahead'><host>" + SLOW.address() + "</host></route>"
            + "<route domain='hanging.test' inbound='true' verifyRecipients='callahead'><host>" + HANGING.address() + "</host></route>"
            + "<route domain='plain.test' inbound='true'><host>" + PLAIN.address() + "</host></route>"
            + "<route domain='pooled.test' inbound='true' verifyRecipients='callahead'><host>" + POOLED.address() + "</host></route>"
            + "<route domain='limited.test' inbound='true' verifyRecipients='callahead'><host>" + LIMITED.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        List.of(EXCHANGE, FLAKY, BACKUP, DOWN, SLOW, HANGING, PLAIN, POOLED, LIMITED).forEach(ScriptedSmtpServer::close);
        MAIL_LOG.detach();
    }

    @Test
    void aKnownUserIsAcceptedOnceTheHostAcceptsItAndTheMailIsDelivered(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("known");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.mailFrom("someone@internet.example").code()).isEqualTo(250);
            assertThat(smtp.rcptTo("known@verify.test").code()).isEqualTo(250);
            assertThat(rcptCommands(EXCHANGE, "known@verify.test")).isEqualTo(1);
            assertThat(smtp.data("someone@internet.example", subject).code()).isEqualTo(250);
        }

        assertThat(InboundGatewayTest.awaitMail(EXCHANGE, subject).recipients()).containsExactly("known@verify.test");
        // The question came with the null sender, before the delivery's own MAIL FROM.
        List<String> transcript = commandsOnly(EXCHANGE.transcript());
        assertThat(transcript).containsSubsequence("MAIL FROM:<>", "RCPT TO:<known@verify.test>", "RSET",
            "MAIL FROM:<someone@internet.example>", "RCPT TO:<known@verify.test>", "DATA");
        assertThat(MAIL_LOG.linesContaining("SMTP Call-Ahead: To:<known@verify.test> route verify.test host " + EXCHANGE.address() + " answer accept"))
            .hasSize(1);
        assertThat(MAIL_LOG.linesContaining("To:<known@verify.test> route verify.test result accept action accept")).hasSize(1);
    }

    @Test
    void anUnknownUserIsRefusedAtRcptWithTheHostsCodeAndText(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            SmtpDialog.Reply reply = smtp.rcptTo("nobody@verify.test");

            assertThat(reply.code()).isEqualTo(550);
            assertThat(reply.text()).isEqualTo("550 5.1.1 <nobody@verify.test>: Recipient address rejected: User unknown");
            // The session goes on: other recipients are judged on their own.
            assertThat(smtp.rcptTo("other@verify.test").code()).isEqualTo(250);
        }
        assertThat(MAIL_LOG.linesContaining("To:<nobody@verify.test> route verify.test result reject action reject"
            + " - 5.1.1 - ('550', ['5.1.1 <nobody@verify.test>: Recipient address rejected: User unknown'])")).hasSize(1);
    }

    @Test
    void whenTheFirstHostAnswers421TheNextHostOfThePlanIsAsked(GuiceJamesServer server) {
        int flakyConnections = FLAKY.connectionCount();
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            assertThat(smtp.rcptTo("user@failover.test").code()).isEqualTo(250);
        }

        assertThat(FLAKY.connectionCount()).isGreaterThan(flakyConnections);
        assertThat(rcptCommands(BACKUP, "user@failover.test")).isEqualTo(1);
        assertThat(MAIL_LOG.linesContaining("To:<user@failover.test> route failover.test host " + FLAKY.address()
            + " answer none, trying the next host - 4.3.2 - ('421', ['4.3.2 Service not available'])")).isNotEmpty();
    }

    @Test
    void whenEveryHostIsDownTempfailAsksTheSenderToComeBackLater(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            SmtpDialog.Reply reply = smtp.rcptTo("user@down.test");

            assertThat(reply.code()).isEqualTo(451);
            assertThat(reply.text()).startsWith("451 4.4.3 ");
            // The outsider learns nothing about the inside hosts.
            assertThat(reply.text()).doesNotContain("127.0.0.1", "421");
        }
        assertThat(MAIL_LOG.linesContaining("To:<user@down.test> route down.test result unknown action tempfail")).hasSize(1);
    }

    @Test
    void whenEveryHostIsDownAcceptTakesTheRecipientUnverified(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            assertThat(smtp.rcptTo("user@down-accept.test").code()).isEqualTo(250);
        }
        assertThat(MAIL_LOG.linesContaining("To:<user@down-accept.test> route down-accept.test result unknown action accept unverified"))
            .hasSize(1);
    }

    @Test
    void aSecondRcptWithinTheTtlAsksNoHostWhetherTheFirstWasAcceptedOrRefused(GuiceJamesServer server) {
        EXCHANGE.rcptReply("gone@verify.test", "550 5.1.1 User unknown");
        for (int session = 0; session < 2; session++) {
            try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
                smtp.mailFrom("someone@internet.example");
                assertThat(smtp.rcptTo("twice@verify.test").code()).isEqualTo(250);
                assertThat(smtp.rcptTo("gone@verify.test").code()).isEqualTo(550);
            }
        }

        assertThat(rcptCommands(EXCHANGE, "twice@verify.test")).isEqualTo(1);
        assertThat(rcptCommands(EXCHANGE, "gone@verify.test")).isEqualTo(1);
        assertThat(MAIL_LOG.linesContaining("To:<twice@verify.test> route verify.test result accept (cached) action accept")).hasSize(1);
        assertThat(MAIL_LOG.linesContaining("To:<gone@verify.test> route verify.test result reject (cached) action reject")).hasSize(1);
    }

    @Test
    void concurrentRcptsForOneAddressAskTheHostOnce(GuiceJamesServer server) throws Exception {
        int clients = 6;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch ready = new CountDownLatch(clients);
            List<Future<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                replies.add(pool.submit(() -> {
                    try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
                        smtp.mailFrom("someone@internet.example");
                        ready.countDown();
                        ready.await(30, TimeUnit.SECONDS);
                        return smtp.rcptTo("busy@slow.test").code();
                    }
                }));
            }
            for (Future<Integer> reply : replies) {
                assertThat(reply.get(60, TimeUnit.SECONDS)).isEqualTo(250);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(rcptCommands(SLOW, "busy@slow.test")).isEqualTo(1);
        // Not only the cache: RCPTs that came while the question was out waited for its answer.
        assertThat(MAIL_LOG.linesContaining("To:<busy@slow.test> route slow.test result accept action accept")).hasSizeGreaterThan(1);
    }

    @Test
    void aHostThatNeverAnswersDelaysRcptOnlyUntilTheTimeout(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            SmtpDialog.Reply reply = smtp.rcptTo("user@hanging.test");

            assertThat(reply.code()).isEqualTo(451);
            assertThat(reply.text()).startsWith("451 4.4.3 ");
        }
        assertThat(MAIL_LOG.linesContaining("To:<user@hanging.test> route hanging.test result unknown action tempfail")).hasSize(1);
    }

    @Test
    void aRouteWithoutVerificationAsksNoHostAtRcpt(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            assertThat(smtp.rcptTo("anyone@plain.test").code()).isEqualTo(250);
        }
        assertThat(PLAIN.connectionCount()).isZero();
    }

    @Test
    void webAdminVerifiesOneAddressShowsTheCacheAndClearsIt(GuiceJamesServer server) {
        EXCHANGE.rcptReply("gone-admin@verify.test", "550 5.1.1 <gone-admin@verify.test>: User unknown");
        webAdmin(server).queryParam("recipient", "admin-test@verify.test").get("/smtpRoutes/verify").then().statusCode(200);
        webAdmin(server).queryParam("recipient", "admin-test@verify.test").get("/smtpRoutes/verify").then().statusCode(200)
            .body("result", org.hamcrest.Matchers.equalTo("accept"))
            .body("cached", org.hamcrest.Matchers.equalTo(true))
            .body("host", org.hamcrest.Matchers.equalTo(EXCHANGE.address()))
            .body("rcptReply", org.hamcrest.Matchers.equalTo("250"));
        assertThat(rcptCommands(EXCHANGE, "admin-test@verify.test")).isEqualTo(1);

        webAdmin(server).queryParam("recipient", "gone-admin@verify.test").queryParam("fresh", "true").get("/smtpRoutes/verify").then()
            .statusCode(200)
            .body("result", org.hamcrest.Matchers.equalTo("reject"))
            .body("cached", org.hamcrest.Matchers.equalTo(false))
            .body("rcptReply", org.hamcrest.Matchers.equalTo("550 5.1.1 <gone-admin@verify.test>: User unknown"));
        webAdmin(server).queryParam("recipient", "admin@down.test").get("/smtpRoutes/verify").then().statusCode(200)
            .body("result", org.hamcrest.Matchers.equalTo("unknown"))
            .body("rcptAction", org.hamcrest.Matchers.equalTo("tempfail"))
            .body("rcptReply", org.hamcrest.Matchers.startsWith("451 4.4.3"));
        webAdmin(server).queryParam("recipient", "user@plain.test").get("/smtpRoutes/verify").then().statusCode(404);
        webAdmin(server).get("/smtpRoutes/verify").then().statusCode(400);

        webAdmin(server).get("/smtpRoutes").then().statusCode(200)
            .body("tables[0].routes[0].domain", org.hamcrest.Matchers.equalTo("verify.test"))
            .body("tables[0].routes[0].options.verifyRecipients", org.hamcrest.Matchers.equalTo("callahead"))
            .body("tables[0].routes[0].options.onVerifyFailure", org.hamcrest.Matchers.equalTo("tempfail"))
            .body("tables[0].routes[3].options.onVerifyFailure", org.hamcrest.Matchers.equalTo("accept"));

        webAdmin(server).get("/smtpRoutes/verify/cache").then().statusCode(200)
            .body("positive.size", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
            .body("negative.size", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
            .body("positive.ttl", org.hamcrest.Matchers.equalTo("1h"))
            .body("settings.timeout", org.hamcrest.Matchers.equalTo("5s"))
            .body("settings.maxConnectionsPerHost", org.hamcrest.Matchers.equalTo(3));

        webAdmin(server).delete("/smtpRoutes/verify/cache").then().statusCode(204);
        webAdmin(server).get("/smtpRoutes/verify/cache").then().statusCode(200)
            .body("positive.size", org.hamcrest.Matchers.equalTo(0))
            .body("negative.size", org.hamcrest.Matchers.equalTo(0));
        webAdmin(server).queryParam("recipient", "admin-test@verify.test").get("/smtpRoutes/verify").then().statusCode(200)
            .body("cached", org.hamcrest.Matchers.equalTo(false));
        assertThat(rcptCommands(EXCHANGE, "admin-test@verify.test")).isEqualTo(2);
    }

    @Test
    void questionsShareOneKeptSessionEndingEachWithRset(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            for (String user : List.of("a", "b", "c")) {
                assertThat(smtp.rcptTo(user + "@pooled.test").code()).isEqualTo(250);
            }
        }

        assertThat(POOLED.connectionCount()).isEqualTo(1);
        assertThat(commandsOnly(POOLED.transcript())).containsSubsequence(
            "MAIL FROM:<>", "RCPT TO:<a@pooled.test>", "RSET",
            "MAIL FROM:<>", "RCPT TO:<b@pooled.test>", "RSET",
            "MAIL FROM:<>", "RCPT TO:<c@pooled.test>", "RSET");
        assertThat(commandsOnly(POOLED.transcript())).doesNotContain("DATA");
    }

    @Test
    void aHostGetsAtMostMaxConnectionsPerHostCallAheadSessions(GuiceJamesServer server) throws Exception {
        int clients = 6;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch ready = new CountDownLatch(clients);
            List<Future<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String recipient = "user" + i + "@limited.test";
                replies.add(pool.submit(() -> {
                    try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
                        smtp.mailFrom("someone@internet.example");
                        ready.countDown();
                        ready.await(30, TimeUnit.SECONDS);
                        return smtp.rcptTo(recipient).code();
                    }
                }));
            }
            for (Future<Integer> reply : replies) {
                assertThat(reply.get(60, TimeUnit.SECONDS)).isEqualTo(250);
            }
        } finally {
            pool.shutdownNow();
        }

        // Six questions, three sessions at most: the later questions waited and reused them.
        assertThat(LIMITED.connectionCount()).isLessThanOrEqualTo(3);
        assertThat(commandsOnly(LIMITED.transcript()).stream().filter(line -> line.startsWith("RCPT TO:"))).hasSize(clients);
    }

    @Test
    void smtpSessionsAndWebAdminShareOneCacheAndTheMetricsCountIt(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            assertThat(smtp.rcptTo("shared@verify.test").code()).isEqualTo(250);
        }
        webAdmin(server).queryParam("recipient", "shared@verify.test").get("/smtpRoutes/verify").then().statusCode(200)
            .body("cached", org.hamcrest.Matchers.equalTo(true));
        assertThat(rcptCommands(EXCHANGE, "shared@verify.test")).isEqualTo(1);

        String metrics = webAdmin(server).get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("smtpRoutes_callAhead_accepted_verify_test_total", "smtpRoutes_callAhead_cacheHit_verify_test_total",
            "smtpRoutes_callAhead_hostQuestion_127_0_0_1_" + EXCHANGE.port() + "_count", "smtpRoutes_callAhead_cache_positive_size");
    }

    /** How many times {@code host} was asked RCPT TO for {@code address}. */
    static long rcptCommands(ScriptedSmtpServer host, String address) {
        return commandsOnly(host.transcript()).stream().filter(line -> line.equals("RCPT TO:<" + address + ">")).count();
    }

    /** Transcript lines without their "N: " connection prefix. */
    static List<String> commandsOnly(List<String> transcript) {
        List<String> commands = new ArrayList<>();
        transcript.forEach(line -> commands.add(line.substring(line.indexOf(": ") + 2)));
        return commands;
    }

    static RequestSpecification webAdmin(GuiceJamesServer server) {
        return given().baseUri("http://127.0.0.1").port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue());
    }

    private static String closedPort() {
        ScriptedSmtpServer gone = ScriptedSmtpServer.start();
        String address = gone.address();
        gone.close();
        return address;
    }
}
