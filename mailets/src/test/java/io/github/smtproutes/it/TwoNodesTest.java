package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.james.GuiceJamesServer;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.restassured.specification.RequestSpecification;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Two real James servers, each with its own working directory, whose retry queues live in one
 * shared {@code file://} store, as several nodes behind one MX would run: each keeps its own
 * waiting mail, every mail arrives once when the host is back, and the mail of a node that is
 * stopped while mail waits is delivered by the other after the stopped node's lease.
 */
class TwoNodesTest {
    static final Duration PATIENCE = Duration.ofSeconds(40);
    static final Duration LEASE = Duration.ofSeconds(3);

    final ScriptedSmtpServer destination = ScriptedSmtpServer.start().withName("nodes")
        .reply(SmtpPhase.RCPT, "451 4.3.0 Come back later");
    @TempDir
    Path shared;
    @TempDir
    File workA;
    @TempDir
    File workB;
    GuiceJamesServer nodeA;
    GuiceJamesServer nodeB;

    @BeforeEach
    void startBothNodes() {
        nodeA = node("node-a", workA);
        nodeB = node("node-b", workB);
    }

    @AfterEach
    void stop() {
        for (GuiceJamesServer server : new GuiceJamesServer[] {nodeA, nodeB}) {
            if (server != null) {
                server.stop();
            }
        }
        destination.close();
    }

    @Test
    void eachNodeKeepsItsOwnMailAndEveryMailArrivesOnceWhenTheHostIsBack() throws Exception {
        List<String> viaA = sendThree(nodeA, "via-a");
        List<String> viaB = sendThree(nodeB, "via-b");

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(waitingSubjects(nodeA, "node-a")).containsExactlyInAnyOrderElementsOf(viaA);
            assertThat(waitingSubjects(nodeB, "node-b")).containsExactlyInAnyOrderElementsOf(viaB);
        });

        destination.heal();

        List<String> all = new ArrayList<>(viaA);
        all.addAll(viaB);
        await().atMost(PATIENCE).untilAsserted(() ->
            assertThat(all).allSatisfy(subject -> assertThat(Mails.withSubject(destination, subject)).hasSize(1)));
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(filesIn(queueDir("node-a"))).isZero();
            assertThat(filesIn(queueDir("node-b"))).isZero();
        });
        assertThat(all).allSatisfy(subject -> assertThat(Mails.withSubject(destination, subject)).hasSize(1));

        // An operator may not take a live node's queue unless forced, nor one nobody knows.
        webAdmin(nodeA).post("/smtpRoutes/nodes/node-b/adopt").then().statusCode(409)
            .body("message", containsString("holds a live lease"));
        webAdmin(nodeA).post("/smtpRoutes/nodes/ghost/adopt").then().statusCode(404);
        webAdmin(nodeA).get("/smtpRoutes/nodes").then().statusCode(200)
            .body("stores[0].thisNode", equalTo("node-a"))
            .body("stores[0].nodes.nodeId", contains("node-a", "node-b"))
            .body("stores[0].nodes.live", contains(true, true));
    }

    @Test
    void aStoppedNodesMailIsDeliveredByTheOtherOnceAfterItsLease() throws Exception {
        List<String> viaA = sendThree(nodeA, "orphan");
        await().atMost(PATIENCE).untilAsserted(() ->
            assertThat(waitingSubjects(nodeA, "node-a")).containsExactlyInAnyOrderElementsOf(viaA));

        nodeA.stop();
        nodeA = null;
        long stoppedAt = System.nanoTime();
        destination.heal();

        await().atMost(PATIENCE).untilAsserted(() ->
            assertThat(viaA).allSatisfy(subject -> assertThat(Mails.withSubject(destination, subject)).hasSize(1)));
        Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt);
        assertThat(took).as("the lease plus a few renewal intervals").isLessThan(LEASE.plus(Duration.ofSeconds(20)));
        assertThat(filesIn(queueDir("node-a"))).isZero();
        Thread.sleep(3000);
        assertThat(viaA).allSatisfy(subject -> assertThat(Mails.withSubject(destination, subject)).hasSize(1));
        String nodes = webAdmin(nodeB).get("/smtpRoutes/nodes").then().statusCode(200)
            .body("stores[0].nodes.find { it.nodeId == 'node-a' }.live", equalTo(false))
            .body("stores[0].nodes.find { it.nodeId == 'node-a' }.adoptedBy", equalTo("node-b"))
            .body("stores[0].nodes.find { it.nodeId == 'node-a' }.waiting", equalTo(0))
            .extract().asString();
        System.out.println("GET /smtpRoutes/nodes on node-b: " + nodes);
    }

    private static RequestSpecification webAdmin(GuiceJamesServer server) {
        return given().baseUri("http://127.0.0.1").port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue());
    }

    /**
     * A node whose {@code var/mail/smtp-routes} is the shared store: James keeps file://
     * repositories inside its working directory, so nodes share a store by mounting (here: linking)
     * the same directory there, as containers would mount one volume.
     */
    private GuiceJamesServer node(String nodeId, File workingDirectory) {
        try {
            Path mail = workingDirectory.toPath().resolve("var/mail");
            Files.createDirectories(mail);
            Files.createSymbolicLink(mail.resolve("smtp-routes"), shared);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='nodes.test'><host>" + destination.address() + "</host>"
                + "<retry initial='1s' max='2s'/></route></smtproutes>")
            // Several nodes on one file:// store: each must list what the others write.
            .edit("mailrepositorystore.xml", "CACHEKEYS=\"true\"", "CACHEKEYS=\"false\"")
            // Two servers in one JVM: their mailet containers would register the same JMX names.
            .edit("mailetcontainer.xml", "enableJmx=\"true\"", "enableJmx=\"false\"")
            .edit("mailetcontainer.xml", "<processors>", "<processors enableJmx=\"false\">")
            .edit("smtpserver.xml", "<jmxName>smtpserver-global</jmxName>", "<jmxName>smtpserver-" + nodeId + "</jmxName>")
            .edit("smtpserver.xml", "<jmxName>smtpserver-submission</jmxName>", "<jmxName>smtpserver-submission-" + nodeId + "</jmxName>")
            .edit("mailetcontainer.xml", "<retryRepository>file://var/mail/smtp-routes/retry/</retryRepository>",
                "<retryRepository>file://var/mail/smtp-routes/retry/</retryRepository><retryNodeId>" + nodeId + "</retryNodeId>"
                    + "<retryNodeLease>" + LEASE.toSeconds() + "s</retryNodeLease>")
            .edit("mailetcontainer.xml", "<retryInterval>10s</retryInterval>", "<retryInterval>1s</retryInterval>")
            .server(workingDirectory);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return server;
    }

    private List<String> sendThree(GuiceJamesServer node, String prefix) {
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            subjects.add(Mails.send(RoutesJames.smtpPort(node), prefix, "user" + i + "@nodes.test"));
        }
        return subjects;
    }

    /** The subjects waiting in a node's own queue, read through that node itself. */
    private List<String> waitingSubjects(GuiceJamesServer node, String nodeId) throws Exception {
        MailRepositoryUrl queue = MailRepositoryUrl.from("file://var/mail/smtp-routes/retry/" + nodeId + "/");
        MailRepositoryProbeImpl repositories = RoutesJames.repositories(node);
        List<String> subjects = new ArrayList<>();
        for (MailKey key : repositories.listMailKeys(queue)) {
            Mail mail = repositories.getMail(queue, key);
            if (mail != null) {
                subjects.add(mail.getMessage().getSubject());
            }
        }
        return subjects;
    }

    private Path queueDir(String nodeId) {
        return shared.resolve("retry").resolve(nodeId);
    }

    private static long filesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
