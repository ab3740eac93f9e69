package io.github.smtproutes.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteFileParser;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.routes.RouteTable;

/**
 * The ESA route import/export tool: a table using every ESA form round-trips exactly, what it
 * imports is what James's own route file parser loads, malformed lines are all reported with
 * their line numbers and nothing is written, settings with no ESA form are named on export, and
 * the tool runs with nothing but the JDK and this project's classes on the class path.
 */
class EsaRoutesTest {
    static final String EVERY_FORM = ""
        + "# Exported from esa1.example.net\n"
        + "example.com 10.0.0.1, 10.0.0.2:2525/pri=0, backup.example.net:2526/pri=10\n"
        + ".example.org mx1.example.org/pri=5, [2001:db8::1]:2525/pri=1, ::1/pri=2\n"
        + "usedns.example USEDNS\n"
        + "drop.example /dev/null\n"
        + "Mixed.Case.Example MAIL.Example.COM\n"
        + "ALL relay.example.com:587\n";

    @TempDir
    Path dir;

    @Test
    void aTableUsingEveryFormRoundTripsExactly() throws Exception {
        Result imported = run("import", write("routes.txt", EVERY_FORM));
        assertThat(imported.status).as(imported.err).isZero();

        Result exported = run("export", write("smtproutes.xml", imported.out));
        assertThat(exported.status).as(exported.err).isZero();
        assertThat(exported.out).isEqualTo(EVERY_FORM);
        assertThat(exported.err).isEmpty();
    }

    @Test
    void theImportedFileIsWhatJamesLoads() throws Exception {
        Result imported = run("import", write("routes.txt", EVERY_FORM));
        RouteTable table = parse(imported.out);

        assertThat(table.routes()).extracting(Route::domain)
            .containsExactly("example.com", ".example.org", "usedns.example", "drop.example", "mixed.case.example", "ALL");
        assertThat(table.routeFor("example.com").get().hosts()).containsExactly(
            RouteHost.of("10.0.0.1", 25, 0), RouteHost.of("10.0.0.2", 2525, 0), RouteHost.of("backup.example.net", 2526, 10));
        assertThat(table.routeFor("a.example.org").get().hosts()).containsExactly(
            RouteHost.of("mx1.example.org", 25, 5), RouteHost.of("2001:db8::1", 2525, 1), RouteHost.of("::1", 25, 2));
        assertThat(table.routeFor("usedns.example").get().kind()).isEqualTo(RouteKind.USEDNS);
        assertThat(table.routeFor("drop.example").get().kind()).isEqualTo(RouteKind.DISCARD);
        assertThat(table.routeFor("elsewhere.test").get().hosts()).containsExactly(RouteHost.of("relay.example.com", 587, 0));
        assertThat(table.routes()).allSatisfy(route -> assertThat(route.tls().keyword()).isEqualTo("opportunistic"));
    }

    @Test
    void aRouteFileExportsToRoutesThatImportBackToTheSameTable() throws Exception {
        String xml = "<?xml version='1.0'?>\n<!-- header, outside the routes -->\n<smtproutes>\n"
            + "  <route domain='example.com'>\n    <host priority='0'>mail1.example.com</host>\n"
            + "    <host priority='0'>mail2.example.com</host>\n    <host priority='10'>backup.example.net:2525</host>\n  </route>\n"
            + "  <!-- the default -->\n  <route domain='all'><host>usedns</host></route>\n</smtproutes>\n";
        Result exported = run("export", write("smtproutes.xml", xml));
        assertThat(exported.out).isEqualTo("example.com mail1.example.com/pri=0, mail2.example.com/pri=0, backup.example.net:2525/pri=10\n"
            + "# the default \nall usedns\n");

        Result reimported = run("import", write("routes.txt", exported.out));
        assertThat(parse(reimported.out).routes()).isEqualTo(parse(xml).routes());
    }

    @Test
    void malformedLinesAreAllReportedWithTheirLineNumbersAndNothingIsWritten() throws Exception {
        String text = "example.com 10.0.0.1\n"
            + "\n"
            + "bad_domain.com 10.0.0.2\n"
            + "nohosts.example\n"
            + "ports.example 10.0.0.3:99999, host.example/pri=70000\n"
            + "mixed.example USEDNS, 10.0.0.4\n"
            + "EXAMPLE.com 10.0.0.5\n"
            + "commas.example a.example,,b.example\n"
            + "spaces.example a.example b.example\n"
            + "keyword.example /dev/null:25\n"
            + "# a comment -- with dashes\n"
            + "v4.example 300.1.2.3\n";
        Result result = run("import", write("routes.txt", text));

        assertThat(result.status).isEqualTo(EsaRoutes.INVALID_INPUT);
        assertThat(result.out).isEmpty();
        String routes = dir.resolve("routes.txt").toString();
        assertThat(result.err.lines()).contains(
            routes + ":3: route 'bad_domain.com': domain contains '_'; only letters, digits, '-' and '.' are allowed",
            routes + ":4: route 'nohosts.example' has no destination: write hosts, USEDNS or /dev/null after the domain",
            routes + ":5: destination '10.0.0.3:99999': port must be 1..65535",
            routes + ":5: destination 'host.example/pri=70000': priority must be 0..65535, got '70000'",
            routes + ":6: route 'mixed.example': USEDNS and /dev/null must be the route's only destination",
            routes + ":7: route 'EXAMPLE.com' is defined twice (lines 1 and 7)",
            routes + ":8: route 'commas.example': empty destination (a stray comma?)",
            routes + ":9: destination 'a.example b.example': separate destinations with ','",
            routes + ":10: destination '/dev/null:25': USEDNS and /dev/null take no port or priority",
            routes + ":11: a comment cannot contain '--' or end with '-' (XML comments cannot hold them)",
            routes + ":12: destination '300.1.2.3': not a valid IPv4 address",
            "nothing written: 11 problem(s)");
    }

    @Test
    void exportNamesEverySettingThatHasNoEsaFormAndNeverAPassword() throws Exception {
        Files.writeString(dir.resolve("relay.pw"), "s3cret-password\n");
        String xml = "<smtproutes>"
            + "<route domain='plain.example'><host>10.0.0.1</host></route>"
            + "<route domain='tls.example' tls='verify' maxConnectionsPerHost='4'><host>10.0.0.2</host>"
            + "<retry initial='1h' maxAttempts='5'/><auth user='relay' passwordFile='relay.pw'/></route>"
            + "</smtproutes>";
        Path file = write("smtproutes.xml", xml);
        assertThat(parse(xml).routes()).hasSize(2);

        Result result = run("export", file);

        assertThat(result.status).isZero();
        String note = "#" + EsaRoutes.UNEXPORTABLE_MARK + "tls.example': maxConnectionsPerHost=\"4\", tls=\"verify\", "
            + "<retry initial=\"1h\" maxAttempts=\"5\"/>, <auth passwordFile=\"relay.pw\" user=\"relay\"/>";
        assertThat(result.out.lines()).containsExactly("plain.example 10.0.0.1", note, "tls.example 10.0.0.2");
        assertThat(result.err).contains("warning: route 'tls.example' has settings with no ESA form, not exported: maxConnectionsPerHost=\"4\", tls=\"verify\"");
        assertThat(result.out + result.err).doesNotContain("s3cret");
    }

    @Test
    void aMultiLineXmlCommentExportsAsCommentLinesAndNeverAsALiveRoute() throws Exception {
        String xml = "<smtproutes>\n"
            + "  <!-- old:\n ALL relay.attacker.example\r\n.evil.example USEDNS\u2028ALL relay2.attacker.example -->\n"
            + "  <route domain='example.com'><host>10.0.0.1</host></route>\n"
            + "</smtproutes>\n";

        Result exported = run("export", write("smtproutes.xml", xml));

        assertThat(exported.status).as(exported.err).isZero();
        assertThat(exported.out.lines()).containsExactly("# old:", "# ALL relay.attacker.example",
            "#.evil.example USEDNS", "#ALL relay2.attacker.example ", "example.com 10.0.0.1");
        Result reimported = run("import", write("routes.txt", exported.out));
        assertThat(reimported.status).as(reimported.err).isZero();
        assertThat(parse(reimported.out).routes()).extracting(Route::domain).containsExactly("example.com");
    }

    @Test
    void attributeValuesWithLineBreaksStayInsideTheirExportNote() throws Exception {
        String xml = "<smtproutes>"
            + "<route domain='example.com' delayWarning='4h&#10;ALL relay.attacker.example&#13;.evil.example USEDNS'>"
            + "<host>10.0.0.1</host><retry initial='1h&#x2028;ALL relay2.attacker.example'/></route>"
            + "</smtproutes>";

        Result exported = run("export", write("smtproutes.xml", xml));

        assertThat(exported.status).as(exported.err).isZero();
        assertThat(exported.out.lines()).containsExactly(
            "#" + EsaRoutes.UNEXPORTABLE_MARK + "example.com': delayWarning=\"4h&#10;ALL relay.attacker.example&#13;"
                + ".evil.example USEDNS\", <retry initial=\"1h&#8232;ALL relay2.attacker.example\"/>",
            "example.com 10.0.0.1");
        assertThat(exported.err.lines()).hasSize(1).allSatisfy(line -> assertThat(line).startsWith("warning: "));
        Result reimported = run("import", write("routes.txt", exported.out));
        assertThat(parse(reimported.out).routes()).extracting(Route::domain).containsExactly("example.com");
    }

    @Test
    void hostileValuesInRoutesAreRefusedNotExported() throws Exception {
        String xml = "<smtproutes>"
            + "<route domain='example.com&#10;ALL'><host>10.0.0.1</host></route>"
            + "<route domain='b.example'><host>10.0.0.2&#10;ALL relay.attacker.example</host></route>"
            + "<route domain='c.example'><host priority='1&#10;'>10.0.0.3</host></route>"
            + "</smtproutes>";

        Result exported = run("export", write("smtproutes.xml", xml));

        assertThat(exported.status).isEqualTo(EsaRoutes.INVALID_INPUT);
        assertThat(exported.out).isEmpty();
        assertThat(exported.err).contains("nothing written: 2 problem(s)");
    }

    @Test
    void anEsaCommentWithAControlCharacterIsRefusedOnImport() throws Exception {
        Result imported = run("import", write("routes.txt", "# note\rALL relay.attacker.example\n# bell\u0007\nexample.com 10.0.0.1\n"));

        assertThat(imported.status).isEqualTo(EsaRoutes.INVALID_INPUT);
        assertThat(imported.out).isEmpty();
        String routes = dir.resolve("routes.txt").toString();
        assertThat(imported.err.lines()).contains(
            routes + ":1: a comment cannot hold a control character (found \\x0D)",
            routes + ":2: a comment cannot hold a control character (found \\x07)");
    }

    @Test
    void aBrokenRouteFileIsRefusedWithItsLine() throws Exception {
        Result result = run("export", write("smtproutes.xml", "<smtproutes>\n<route domain='a.example'>\n<host>x</route>\n</smtproutes>"));
        assertThat(result.status).isEqualTo(EsaRoutes.INVALID_INPUT);
        assertThat(result.out).isEmpty();
        assertThat(result.err).contains("smtproutes.xml:3: malformed XML");
    }

    @Test
    void aBadCommandLineShowsTheUsage() {
        Result result = run(new String[] {"convert", "x"});
        assertThat(result.status).isEqualTo(EsaRoutes.USAGE);
        assertThat(result.err).startsWith("usage: EsaRoutes import <routes.txt>");
    }

    @Test
    void runsWithTheJdkAndTheseClassesOnly() throws Exception {
        Path routes = write("routes.txt", EVERY_FORM);
        String classes = new File(EsaRoutes.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", classes, EsaRoutes.class.getName(), "import", routes.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        String xml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isZero();
        assertThat(xml).isEqualTo(run("import", routes).out);
    }

    private RouteTable parse(String xml) throws Exception {
        return new RouteFileParser(name -> null).parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "test.xml", dir);
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static Result run(String command, Path file) {
        return run(new String[] {command, file.toString()});
    }

    private static Result run(String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = EsaRoutes.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int status;
        final String out;
        final String err;

        Result(int status, String out, String err) {
            this.status = status;
            this.out = out;
            this.err = err;
        }
    }
}
