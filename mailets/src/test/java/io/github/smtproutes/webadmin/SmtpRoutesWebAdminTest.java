package io.github.smtproutes.webadmin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.management.ObjectName;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.smtproutes.it.Mails;
import io.github.smtproutes.it.RoutesJames;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The SMTP Routes WebAdmin endpoints and metrics in a real James booted from the shipped conf
 * (whose webadmin.properties enables them), over HTTP: the route table without passwords, host
 * state after a failover, the plan preview against the host a mail then really reaches,
 * reload (a bad file keeps the old table, a good one changes the next delivery's host, with
 * round-robin and host state carried over), and the metrics on /metrics and JMX.
 */
class SmtpRoutesWebAdminTest {
    static final String PASSWORD = "relay-secret-password";
    static final Path PASSWORD_FILE = passwordFile();
    static final List<ScriptedSmtpServer> RR = List.of(ScriptedSmtpServer.start(), ScriptedSmtpServer.start(), ScriptedSmtpServer.start());
    static final ScriptedSmtpServer FLAKY = ScriptedSmtpServer.start().reply(SmtpPhase.CONNECT, "421 4.3.1 Mail system full");
    static final ScriptedSmtpServer BACKUP = ScriptedSmtpServer.start();
    static final ScriptedSmtpServer OLD = ScriptedSmtpServer.start();
    static final ScriptedSmtpServer NEW = ScriptedSmtpServer.start();
    static final ScriptedSmtpServer REFUSING = ScriptedSmtpServer.start().rcptReply("nobody@refuse.test", "550 5.1.1 No such user");
    static final ScriptedSmtpServer WAITING = ScriptedSmtpServer.start().reply(SmtpPhase.CONNECT, "421 4.3.2 Try again later");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(() -> routes(OLD))
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    static String routes(ScriptedSmtpServer reloadHost) {
        return "<smtproutes>"
            + "<route domain='rr.test'>" + RR.stream().map(s -> "<host>" + s.address() + "</host>").collect(Collectors.joining()) + "</route>"
            + "<route domain='down.test'><host priority='0'>" + FLAKY.address() + "</host><host priority='10'>" + BACKUP.address() + "</host></route>"
            + "<route domain='reload.test'><host>" + reloadHost.address() + "</host></route>"
            + "<route domain='refuse.test'><host>" + REFUSING.address() + "</host></route>"
            + "<route domain='.drop.test'><host>/dev/null</host></route>"
            + "<route domain='options.test' tls='verify' maxConnectionsPerHost='4' delayWarning='4h'><host>127.0.0.1:1</host>"
            + "<retry initial='5m' maxAttempts='10'/><auth user='relay' passwordFile='" + PASSWORD_FILE + "'/></route>"
            + "<route domain='.wait.test'><host>" + WAITING.address() + "</host><retry initial='1h'/></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>";
    }

    @AfterAll
    static void stopHosts() {
        RR.forEach(ScriptedSmtpServer::close);
        List.of(FLAKY, BACKUP, OLD, NEW, REFUSING, WAITING, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void theRouteTableIsListedAsLoadedWithThePasswordRedacted(GuiceJamesServer server) {
        Response response = webAdmin(server).get("/smtpRoutes").then().statusCode(200).contentType(ContentType.JSON).extract().response();

        assertThat(response.<List<String>>path("tables.routeFile")).singleElement().asString().endsWith("smtproutes.xml");
        assertThat(response.<List<String>>path("tables[0].routes.domain"))
            .containsExactly("rr.test", "down.test", "reload.test", "refuse.test", ".drop.test", "options.test", ".wait.test", "senders.test");
        assertThat(response.<Map<String, Object>>path("tables[0].routes[1]")).isEqualTo(Map.of(
            "domain", "down.test", "destination", "hosts", "inbound", false,
            "hosts", List.of(
                Map.of("host", "127.0.0.1", "port", FLAKY.port(), "priority", 0),
                Map.of("host", "127.0.0.1", "port", BACKUP.port(), "priority", 10)),
            "options", Map.of("tls", "opportunistic", "possibleDelivery", false, "allowPlainAuth", false)));
        assertThat(response.<String>path("tables[0].routes[4].destination")).isEqualTo("/dev/null");
        assertThat(response.<Map<String, Object>>path("tables[0].routes[5].options")).isEqualTo(Map.of(
            "tls", "verify", "possibleDelivery", false, "allowPlainAuth", false,
            "auth", Map.of("user", "relay", "password", "<redacted>", "passwordFrom", "file " + PASSWORD_FILE),
            "retry", Map.of("initial", "5m", "maxAttempts", 10),
            "delayWarning", "4h", "maxConnectionsPerHost", 4));
        assertThat(response.asString()).doesNotContain(PASSWORD);
    }

    @Test
    void prettyGivesTheSameJsonIndentedOverLines(GuiceJamesServer server) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (String path : List.of("/smtpRoutes", "/smtpRoutes/plan?recipient=a@rr.test")) {
            String compact = webAdmin(server).get(path).then().statusCode(200).extract().asString();
            String pretty = webAdmin(server).get(path + (path.contains("?") ? "&" : "?") + "pretty").then().statusCode(200)
                .contentType(ContentType.JSON).extract().asString();

            assertThat(compact.trim()).as(path).doesNotContain("\n");
            assertThat(pretty).as(path).contains("\n  \"").endsWith("\n");
            assertThat(mapper.readTree(pretty)).as(path).isEqualTo(mapper.readTree(compact));
        }
    }

    @Test
    void hostStateShowsADownHostWithItsErrorAndTheHostThatTookOver(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "down", "user@down.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> received(BACKUP, subject));

        List<Map<String, Object>> hosts = webAdmin(server).get("/smtpRoutes/hosts").then().statusCode(200).extract().path("");
        Map<String, Object> flaky = host(hosts, FLAKY);
        assertThat(flaky).containsEntry("state", "down").containsEntry("consecutiveFailures", 1)
            .containsEntry("delivered", 0).containsEntry("failed", 1);
        assertThat((String) flaky.get("lastError")).contains("421 4.3.1 Mail system full");
        assertThat((String) flaky.get("downUntil")).isNotNull();
        assertThat((String) flaky.get("lastErrorAt")).isNotNull();
        assertThat(host(hosts, BACKUP)).containsEntry("state", "up").containsEntry("consecutiveFailures", 0)
            .containsEntry("downUntil", null).containsEntry("lastError", null);
        assertThat((Integer) host(hosts, BACKUP).get("delivered")).isPositive();
        // The backup's session went back to the pool: it was opened once and is open or idle-closed.
        assertThat(host(hosts, BACKUP).get("connections")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("opened", 1).containsKeys("inUse", "idle", "reused", "busy");
        assertThat(host(hosts, FLAKY).get("connections")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("opened", 0).containsEntry("idle", 0);

        List<Map<String, Object>> plan = webAdmin(server).queryParam("recipient", "user@down.test").get("/smtpRoutes/plan")
            .then().statusCode(200).extract().path("plans[0].hosts");
        // The down host stays in the plan, marked and postponed after the host that is up.
        assertThat(plan).containsExactly(
            Map.of("host", "127.0.0.1", "endpoint", BACKUP.address(), "down", false),
            Map.of("host", "127.0.0.1", "endpoint", FLAKY.address(), "down", true));
    }

    @Test
    void thePlanPreviewsTheHostTheNextDeliveryReallyUses(GuiceJamesServer server) {
        for (int i = 0; i < 4; i++) {
            List<String> plan = webAdmin(server).queryParam("recipient", "someone@RR.test").get("/smtpRoutes/plan")
                .then().statusCode(200)
                .body("recipient", equalTo("someone@rr.test"))
                .body("plans[0].route", equalTo("rr.test"))
                .extract().path("plans[0].hosts.endpoint");
            List<String> again = webAdmin(server).queryParam("recipient", "other@rr.test").get("/smtpRoutes/plan").path("plans[0].hosts.endpoint");
            assertThat(again).as("a preview does not move the round-robin").isEqualTo(plan);
            assertThat(plan).containsExactlyInAnyOrderElementsOf(RR.stream().map(ScriptedSmtpServer::address).collect(Collectors.toList()));

            String subject = Mails.send(RoutesJames.smtpPort(server), "rr", "user@rr.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> RR.stream().anyMatch(host -> received(host, subject)));
            ScriptedSmtpServer used = RR.stream().filter(host -> received(host, subject)).findFirst().orElseThrow();
            assertThat(used.address()).isEqualTo(plan.get(0));
        }
    }

    @Test
    void planErrorsSayWhatIsWrong(GuiceJamesServer server) {
        webAdmin(server).get("/smtpRoutes/plan").then().statusCode(400)
            .body("statusCode", equalTo(400)).body("type", equalTo("InvalidArgument"))
            .body("message", equalTo("query parameter 'recipient' is required, e.g. ?recipient=user@example.com"));
        webAdmin(server).queryParam("recipient", "not an address").get("/smtpRoutes/plan").then().statusCode(400)
            .body("message", startsWith("'not an address' is not a valid mail address"));
        webAdmin(server).queryParam("recipient", "user@unrouted.test").get("/smtpRoutes/plan").then().statusCode(404)
            .body("type", equalTo("notFound"))
            .body("message", equalTo("no route matches 'unrouted.test': mail to it is not handled by SMTP Routes"));
    }

    @Test
    void aBadReloadKeepsTheOldTableAndAGoodOneChangesTheNextDeliverysHost(GuiceJamesServer server) throws Exception {
        int smtp = RoutesJames.smtpPort(server);
        Path routeFile = Path.of(webAdmin(server).get("/smtpRoutes").<String>path("tables[0].routeFile"));
        List<String> rrPlanBefore = webAdmin(server).queryParam("recipient", "a@rr.test").get("/smtpRoutes/plan").path("plans[0].hosts.endpoint");
        List<Map<String, Object>> hostsBefore = webAdmin(server).get("/smtpRoutes/hosts").path("");

        Files.writeString(routeFile, routes(NEW).replace("<host>/dev/null</host>", ""));
        webAdmin(server).post("/smtpRoutes/reload").then().statusCode(400)
            .body("message", containsString("route file not reloaded, the running routes stay in use: "))
            .body("message", containsString("route '.drop.test': no <host>"));
        // Valid XML, but a <retry> the mailet's retry parameters cannot honour: refused the same way.
        Files.writeString(routeFile, routes(NEW).replace("<route domain='reload.test'>", "<route domain='reload.test'><retry initial='2h'/>"));
        webAdmin(server).post("/smtpRoutes/reload").then().statusCode(400)
            .body("message", containsString("route file not reloaded, the running routes stay in use: "))
            .body("message", containsString("route reload.test: <retry>"));
        String first = Mails.send(smtp, "reload", "user@reload.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> received(OLD, first));

        Files.writeString(routeFile, routes(NEW));
        webAdmin(server).post("/smtpRoutes/reload").then().statusCode(200)
            .body("reloaded[0].routeFile", equalTo(routeFile.toString()))
            .body("reloaded[0].routes", equalTo(8));
        webAdmin(server).queryParam("recipient", "a@reload.test").get("/smtpRoutes/plan").then()
            .body("plans[0].hosts.endpoint", equalTo(List.of(NEW.address())));
        String second = Mails.send(smtp, "reload", "user@reload.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> received(NEW, second));
        assertThat(received(OLD, second)).isFalse();

        // Unchanged hosts keep their round-robin position and their state across the reload.
        assertThat(webAdmin(server).queryParam("recipient", "a@rr.test").get("/smtpRoutes/plan").<List<String>>path("plans[0].hosts.endpoint"))
            .isEqualTo(rrPlanBefore);
        List<Map<String, Object>> hostsAfter = webAdmin(server).get("/smtpRoutes/hosts").path("");
        // Health is compared as it was; pooled-session counts move on their own (idle sessions close).
        hostsBefore.forEach(before -> assertThat(withoutConnections(hostsAfter)).contains(withoutConnections(before)));
    }

    @Test
    void deliverNowRetriesAWaitingMailAtOnceInsteadOfInAnHour(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "wait", "user@a.wait.test");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics(server))
            .contains("smtpRoutes_queuedForRetry__wait_test_total 1.0", "smtpRoutes_retryQueue_size 1.0"));
        WAITING.heal();

        // Any domain of the route: b.wait.test resolves to the route .wait.test, as a.wait.test does.
        webAdmin(server).queryParam("domain", "b.wait.test").post("/smtpRoutes/deliverNow").then().statusCode(200)
            .body("domain", equalTo("b.wait.test"))
            .body("routes", equalTo(List.of(".wait.test")))
            .body("mailsMadeDue", equalTo(1));

        await().atMost(Duration.ofSeconds(20)).until(() -> received(WAITING, subject));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(metrics(server)).contains("smtpRoutes_retryQueue_size 0.0"));
        webAdmin(server).post("/smtpRoutes/deliverNow").then().statusCode(200)
            .body("routes", equalTo("all")).body("mailsMadeDue", equalTo(0));
    }

    @Test
    void deliverNowErrorsSayWhatIsWrong(GuiceJamesServer server) {
        webAdmin(server).queryParam("domain", "unrouted.test").post("/smtpRoutes/deliverNow").then().statusCode(404)
            .body("type", equalTo("notFound")).body("message", equalTo("no route matches 'unrouted.test'"));
        webAdmin(server).queryParam("domain", "not a domain").post("/smtpRoutes/deliverNow").then().statusCode(400)
            .body("type", equalTo("InvalidArgument")).body("message", equalTo("'not a domain' is not a domain name"));
    }

    @Test
    void deliveriesAreCountedInJamesMetricsOnWebAdminAndJmx(GuiceJamesServer server) throws Exception {
        int smtp = RoutesJames.smtpPort(server);
        String delivered = Mails.send(smtp, "metrics", "user@rr.test");
        Mails.send(smtp, "metrics", "user@a.drop.test", "other@b.drop.test");
        Mails.send(smtp, "metrics", "nobody@refuse.test");
        String failover = Mails.send(smtp, "metrics", "user@down.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> RR.stream().anyMatch(host -> received(host, delivered)) && received(BACKUP, failover));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics(server))
            .contains("smtpRoutes_delivered_rr_test_total", "smtpRoutes_dropped__drop_test_total 2.0",
                "smtpRoutes_bounced_refuse_test_total 1.0", "smtpRoutes_failedOver_down_test_total",
                "smtpRoutes_hostTransaction_127_0_0_1_" + BACKUP.port() + "_count"));

        Set<ObjectName> mbeans = ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("metrics:name=smtpRoutes.*,*"), null);
        assertThat(mbeans).extracting(name -> name.getKeyProperty("name"))
            .contains("smtpRoutes.delivered.rr.test", "smtpRoutes.dropped..drop.test", "smtpRoutes.bounced.refuse.test",
                "smtpRoutes.failedOver.down.test", "smtpRoutes.hostTransaction.127.0.0.1_" + BACKUP.port());
    }

    static RequestSpecification webAdmin(GuiceJamesServer server) {
        return given().baseUri("http://127.0.0.1").port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue());
    }

    static String metrics(GuiceJamesServer server) {
        return webAdmin(server).get("/metrics").then().statusCode(200).extract().asString();
    }

    static boolean received(ScriptedSmtpServer host, String subject) {
        return host.received().stream().anyMatch(mail -> mail.header("Subject").orElse("").equals(subject));
    }

    private static Map<String, Object> withoutConnections(Map<String, Object> host) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(host);
        copy.remove("connections");
        return copy;
    }

    private static List<Map<String, Object>> withoutConnections(List<Map<String, Object>> hosts) {
        return hosts.stream().map(SmtpRoutesWebAdminTest::withoutConnections).collect(java.util.stream.Collectors.toList());
    }

    private static Map<String, Object> host(List<Map<String, Object>> hosts, ScriptedSmtpServer server) {
        return hosts.stream().filter(host -> server.address().equals(host.get("endpoint"))).findFirst()
            .orElseThrow(() -> new AssertionError("no state for " + server.address() + " in " + hosts));
    }

    private static Path passwordFile() {
        try {
            Path file = Files.createTempFile("smtp-routes-relay", ".pw");
            Files.writeString(file, PASSWORD + "\n");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
