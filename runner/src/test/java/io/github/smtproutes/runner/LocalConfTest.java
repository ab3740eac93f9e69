package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/**
 * The runner's local adjustments of the project's real conf/ files: only the listening addresses,
 * the ports and the DNS server change, and the files stay valid.
 */
class LocalConfTest {
    private static final Path CONF = Path.of(System.getProperty(ProjectLayout.PROJECT_DIR_PROPERTY), "conf");

    @Test
    void smtpServerListensOnLoopbackAtTheGivenPortAndNothingElseChanges() throws Exception {
        String original = read("smtpserver.xml");

        String local = LocalConf.smtpServer(original, 2525);

        assertThat(parse(local).getElementsByTagName("bind").item(0).getTextContent()).isEqualTo("127.0.0.1:2525");
        // The submission listener (587, privileged) moves to a free loopback port.
        assertThat(parse(local).getElementsByTagName("bind").item(1).getTextContent()).isEqualTo("127.0.0.1:0");
        assertThat(changedLines(original, local)).hasSize(2);
    }

    @Test
    void furtherSmtpListenersMoveToLoopbackAndLeavePrivilegedPorts() {
        String xml = "<smtpservers><smtpserver><bind>0.0.0.0:25</bind></smtpserver>"
            + "<!-- <bind>0.0.0.0:24</bind> -->"
            + "<smtpserver><bind>0.0.0.0:465, 0.0.0.0:10465</bind></smtpserver></smtpservers>";

        String local = LocalConf.smtpServer(xml, 2600);

        assertThat(local).isEqualTo("<smtpservers><smtpserver><bind>127.0.0.1:2600</bind></smtpserver>"
            + "<!-- <bind>0.0.0.0:24</bind> -->"
            + "<smtpserver><bind>127.0.0.1:0,127.0.0.1:10465</bind></smtpserver></smtpservers>");
    }

    @Test
    void smtpServerWithoutBindIsRefused() {
        assertThatThrownBy(() -> LocalConf.smtpServer("<smtpservers/>", 2525)).isInstanceOf(RunnerException.class);
    }

    @Test
    void webAdminListensOnLoopbackAtTheGivenPort() throws Exception {
        String original = read("webadmin.properties");

        Properties local = properties(LocalConf.webAdmin(original, 8123));

        assertThat(local.getProperty("port")).isEqualTo("8123");
        assertThat(local.getProperty("host")).isEqualTo("127.0.0.1");
        assertThat(local.getProperty("enabled")).isEqualTo(properties(original).getProperty("enabled"));
    }

    @Test
    void missingWebAdminKeysAreAdded() throws Exception {
        Properties local = properties(LocalConf.webAdmin("enabled=true", 8001));

        assertThat(local.getProperty("port")).isEqualTo("8001");
        assertThat(local.getProperty("host")).isEqualTo("127.0.0.1");
        assertThat(local.getProperty("enabled")).isEqualTo("true");
    }

    @Test
    void jmxMovesToLoopbackAtTheGivenPortAndKeepsEnabled() throws Exception {
        Properties local = properties(LocalConf.jmx("jmx.enabled=false\njmx.address=0.0.0.0\njmx.port=9999\n", 9123));

        assertThat(local.getProperty("jmx.port")).isEqualTo("9123");
        assertThat(local.getProperty("jmx.address")).isEqualTo("127.0.0.1");
        assertThat(local.getProperty("jmx.enabled")).isEqualTo("false");
    }

    @Test
    void dnsServiceAsksTheGivenServerInsteadOfAutodiscovering() throws Exception {
        String original = read("dnsservice.xml");

        Document local = parse(LocalConf.dnsService(original, "127.0.0.1"));

        assertThat(local.getElementsByTagName("autodiscover").item(0).getTextContent()).isEqualTo("false");
        assertThat(local.getElementsByTagName("server").getLength()).isEqualTo(1);
        assertThat(local.getElementsByTagName("server").item(0).getTextContent()).isEqualTo("127.0.0.1");
        assertThat(local.getElementsByTagName("maxcachesize").item(0).getTextContent())
            .isEqualTo(parse(original).getElementsByTagName("maxcachesize").item(0).getTextContent());
    }

    @Test
    void configuredDnsServersAreReplaced() throws Exception {
        String xml = "<dnsservice><servers><server>8.8.8.8</server><server>1.1.1.1</server></servers>"
            + "<autodiscover>true</autodiscover></dnsservice>";

        Document local = parse(LocalConf.dnsService(xml, "10.1.2.3"));

        assertThat(local.getElementsByTagName("server").getLength()).isEqualTo(1);
        assertThat(local.getElementsByTagName("server").item(0).getTextContent()).isEqualTo("10.1.2.3");
        assertThat(local.getElementsByTagName("autodiscover").item(0).getTextContent()).isEqualTo("false");
    }

    private static String read(String file) throws IOException {
        return Files.readString(CONF.resolve(file), StandardCharsets.UTF_8);
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    private static Properties properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    private static List<String> changedLines(String before, String after) {
        List<String> beforeLines = Arrays.asList(before.split("\n", -1));
        List<String> afterLines = Arrays.asList(after.split("\n", -1));
        assertThat(afterLines).hasSameSizeAs(beforeLines);
        return afterLines.stream().filter(line -> !beforeLines.contains(line)).collect(Collectors.toList());
    }
}
