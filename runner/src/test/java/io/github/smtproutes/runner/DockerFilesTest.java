package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks docker/ statically, since no Docker engine runs here: the Dockerfile builds on
 * apache/james:memory-3.8.1 and copies files that exist in its build context (and that its
 * ignore file lets through), every conf file is either copied or deliberately left to the image,
 * every file the compose file mounts exists, and the demo route's hosts are the compose services.
 */
class DockerFilesTest {
    static final String JAMES_IMAGE = "apache/james:memory-3.8.1";
    /** The conf files the image must get from this project. */
    static final Set<String> COPIED_CONF = Set.of("mailetcontainer.xml", "smtproutes.xml", "mailrepositorystore.xml",
        "smtpserver.xml", "logback.xml", "webadmin.properties");
    /** The conf files that deliberately keep the image's defaults (see the Dockerfile's comment). */
    static final Set<String> IMAGE_DEFAULT_CONF = Set.of("dnsservice.xml", "domainlist.xml");

    private static final Path PROJECT = Path.of(System.getProperty(ProjectLayout.PROJECT_DIR_PROPERTY)).toAbsolutePath().normalize();
    private static final Path DOCKER = PROJECT.resolve("docker");

    private static List<List<String>> instructions;
    private static Map<String, Object> compose;

    @BeforeAll
    static void readFiles() throws IOException {
        instructions = dockerfileInstructions(Files.readString(DOCKER.resolve("Dockerfile"), StandardCharsets.UTF_8));
        try (Reader in = Files.newBufferedReader(DOCKER.resolve("docker-compose.yml"), StandardCharsets.UTF_8)) {
            compose = new Yaml().load(in);
        }
    }

    @Test
    void theImageIsJames381Memory() {
        List<List<String>> from = instructions("FROM");

        assertThat(from).hasSize(1);
        assertThat(from.get(0)).containsExactly(JAMES_IMAGE);
    }

    @Test
    void jamesGeneratesTheStartTlsKeyStoreAtItsFirstStart() throws IOException {
        // The shipped smtpserver.xml offers STARTTLS with conf/keystore, which the image does not ship.
        assertThat(Files.readString(PROJECT.resolve("conf/smtpserver.xml"))).contains("<keystore>file://conf/keystore</keystore>");
        assertThat(instructions("CMD")).containsExactly(List.of("[\"--generate-keystore\"]"));
        assertThat(list(service("james").get("ports"))).anySatisfy(port -> assertThat(port).endsWith(":587"));
    }

    @Test
    void composeBuildsTheDockerfileFromTheProjectRoot() {
        Map<String, Object> build = map(service("james").get("build"));

        assertThat(buildContext()).isEqualTo(PROJECT);
        assertThat(buildContext().resolve((String) build.get("dockerfile"))).isEqualTo(DOCKER.resolve("Dockerfile"));
    }

    @Test
    void everyCopiedFileExistsInTheBuildContext() {
        List<String> sources = copySources();

        assertThat(sources).isNotEmpty();
        assertThat(sources).allSatisfy(source -> assertThat(buildContext().resolve(source)).isRegularFile());
    }

    @Test
    void theExtensionJarIsTheMailetsModuleOutputAndGoesToExtensionsJars() throws Exception {
        String finalName = mailetsFinalName();

        assertThat(copiesTo("/root/extensions-jars/")).containsExactly("mailets/target/" + finalName + ".jar");
    }

    @Test
    void everyConfFileIsCopiedOrDeliberatelyLeftToTheImage() throws IOException {
        Set<String> copied = copiesTo("/root/conf/").stream()
            .peek(source -> assertThat(source).startsWith("conf/"))
            .map(source -> source.substring("conf/".length()))
            .collect(Collectors.toSet());
        Set<String> projectConf;
        try (Stream<Path> files = Files.list(PROJECT.resolve("conf"))) {
            projectConf = files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
        }

        assertThat(copied).containsExactlyInAnyOrderElementsOf(COPIED_CONF);
        assertThat(projectConf).containsAll(COPIED_CONF).containsAll(IMAGE_DEFAULT_CONF);
        assertThat(projectConf).as("a new conf file needs a decision: copy it, or list it as an image default")
            .allMatch(file -> COPIED_CONF.contains(file) || IMAGE_DEFAULT_CONF.contains(file));
    }

    @Test
    void theRetryRepositoryDirectoryIsAVolume() {
        List<String> volumes = instructions("VOLUME").stream().flatMap(List::stream)
            .map(volume -> volume.replaceAll("[\\[\\]\",]", "")).collect(Collectors.toList());

        assertThat(volumes).contains("/root/var");
        assertThat(mounts("james")).anySatisfy(mount -> assertThat(mount).endsWith(":/root/var"));
    }

    @Test
    void theDockerIgnoreFileLetsEveryCopiedFileThrough() throws IOException {
        List<String> included = Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore")).stream()
            .map(String::trim).filter(line -> line.startsWith("!"))
            .map(line -> line.substring(1).replaceAll("/$", "")).collect(Collectors.toList());

        assertThat(copySources()).allSatisfy(source -> assertThat(included)
            .anyMatch(pattern -> source.equals(pattern) || source.startsWith(pattern + "/")));
    }

    @Test
    void everyMountedFileExists() {
        List<String> bindSources = services().keySet().stream()
            .flatMap(name -> mounts(name).stream())
            .map(mount -> mount.split(":")[0])
            .filter(source -> source.startsWith("."))
            .collect(Collectors.toList());

        assertThat(bindSources).isNotEmpty();
        assertThat(bindSources).allSatisfy(source -> assertThat(DOCKER.resolve(source).normalize()).exists());
    }

    @Test
    void theDemoRouteFileReplacesTheImagesRoutes() {
        assertThat(mounts("james")).contains("./smtproutes-demo.xml:/root/conf/smtproutes.xml:ro");
    }

    @Test
    void theDemoRouteHostsAreTheComposeDestinationServices() throws Exception {
        List<String[]> hosts = demoRouteHosts();
        Set<String> destinations = new LinkedHashSet<>(services().keySet());
        destinations.remove("james");

        assertThat(hosts).extracting(host -> host[0]).containsExactlyInAnyOrderElementsOf(destinations);
        assertThat(hosts).allSatisfy(host -> assertThat(host[1]).isEqualTo(listeningPort(host[0])));
        assertThat(list(service("james").get("depends_on"))).containsExactlyInAnyOrderElementsOf(destinations);
    }

    @Test
    void theDemoHostsPlayTheirRoles() {
        assertThat(command("dest-busy")).contains("--greeting", "421 4.3.1 Mail system full");
        assertThat(command("dest-ok")).doesNotContain("--greeting");
    }

    // ------------------------------------------------------------------ Dockerfile

    /** Instructions as [KEYWORD, arg, arg...], with continuation lines joined and comments dropped. */
    static List<List<String>> dockerfileInstructions(String dockerfile) {
        List<List<String>> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                List<String> words = new ArrayList<>(Arrays.asList(current.toString().trim().split("\\s+")));
                words.set(0, words.get(0).toUpperCase());
                result.add(words);
                current.setLength(0);
            }
        }
        return result;
    }

    private static List<List<String>> instructions(String keyword) {
        return instructions.stream().filter(words -> words.get(0).equals(keyword))
            .map(words -> words.subList(1, words.size())).collect(Collectors.toList());
    }

    /** Every COPY's sources (flags such as --chown dropped). */
    private static List<String> copySources() {
        return instructions("COPY").stream()
            .map(DockerFilesTest::withoutFlags)
            .flatMap(args -> args.subList(0, args.size() - 1).stream())
            .collect(Collectors.toList());
    }

    private static List<String> copiesTo(String destinationDirectory) {
        return instructions("COPY").stream()
            .map(DockerFilesTest::withoutFlags)
            .filter(args -> args.get(args.size() - 1).startsWith(destinationDirectory))
            .flatMap(args -> args.subList(0, args.size() - 1).stream())
            .collect(Collectors.toList());
    }

    private static List<String> withoutFlags(List<String> args) {
        return args.stream().filter(arg -> !arg.startsWith("--")).collect(Collectors.toList());
    }

    private static String mailetsFinalName() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(PROJECT.resolve("mailets/pom.xml").toFile());
        NodeList finalName = pom.getElementsByTagName("finalName");
        return finalName.getLength() == 1 ? finalName.item(0).getTextContent().trim() : "smtp-routes-0.1.0-SNAPSHOT";
    }

    // ------------------------------------------------------------------ compose

    private static Path buildContext() {
        return DOCKER.resolve((String) map(service("james").get("build")).get("context")).normalize();
    }

    private static Map<String, Object> services() {
        return map(compose.get("services"));
    }

    private static Map<String, Object> service(String name) {
        assertThat(services()).containsKey(name);
        return map(services().get(name));
    }

    private static List<String> mounts(String service) {
        Object volumes = service(service).get("volumes");
        return volumes == null ? List.of() : list(volumes);
    }

    private static List<String> command(String service) {
        return list(service(service).get("command"));
    }

    /** The port a demo host service listens on: its --port, else smtp_host.py's default 25. */
    private static String listeningPort(String service) {
        List<String> command = command(service);
        int option = command.indexOf("--port");
        return option >= 0 ? command.get(option + 1) : "25";
    }

    /** The demo route file's hosts as [name, port]. */
    private static List<String[]> demoRouteHosts() throws Exception {
        Document routes = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(DOCKER.resolve("smtproutes-demo.xml").toFile());
        NodeList hosts = routes.getElementsByTagName("host");
        List<String[]> result = new ArrayList<>();
        Pattern hostPort = Pattern.compile("([^:]+)(?::(\\d+))?");
        for (int i = 0; i < hosts.getLength(); i++) {
            Element host = (Element) hosts.item(i);
            Matcher matcher = hostPort.matcher(host.getTextContent().trim());
            assertThat(matcher.matches()).as(host.getTextContent()).isTrue();
            result.add(new String[] {matcher.group(1), matcher.group(2) == null ? "25" : matcher.group(2)});
        }
        assertThat(result).isNotEmpty();
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        assertThat(yaml).isInstanceOf(Map.class);
        return (Map<String, Object>) yaml;
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Object yaml) {
        assertThat(yaml).isInstanceOf(List.class);
        return (List<String>) yaml;
    }
}
