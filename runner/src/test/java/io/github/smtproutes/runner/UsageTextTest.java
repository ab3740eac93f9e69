package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * The usage text (which ./run-james prints and checks command lines against before any build)
 * agrees with the runner: every option it lists is one the runner reads, and its defaults are
 * the runner's. The demo's hint quotes the mail log's own probe mark.
 */
class UsageTextTest {
    private final ProjectLayout project = new ProjectLayout(Path.of("/project"));

    @Test
    void everyListedRunAndSendOptionIsReadByTheRunner() {
        List<String[]> run = options("Run options:", "Send options:");
        List<String[]> send = options("Send options:", null);

        assertThat(run).extracting(option -> option[0]).contains("--demo", "--routes", "--smtp-port", "--verbose");
        assertThat(send).extracting(option -> option[0]).contains("--to", "--count", "--host");
        run.forEach(option -> assertRead(option, args -> RunOptions.parse(args, project)));
        send.forEach(option -> assertRead(option, args -> SendOptions.parse(args, project)));
    }

    @Test
    void theDefaultsAreTheRunnersAndTheBuildCommandIsNamed() {
        assertThat(RunJames.USAGE)
            .contains("default " + SendOptions.DEFAULT_TO + ")")
            .contains("default " + SendOptions.DEFAULT_FROM + ")")
            .contains("default " + RunOptions.DEFAULT_SMTP_PORT + ";")
            .contains("default " + RunOptions.DEFAULT_WEBADMIN_PORT + ";")
            .contains("mvn -B -q -Dstyle.color=never -DskipTests -pl runner -am package");
    }

    @Test
    void theDemoHintQuotesTheMailLogsProbeMark() throws Exception {
        Path mailLog = Path.of(System.getProperty(ProjectLayout.PROJECT_DIR_PROPERTY), "mailets/src/main/java/io/github/smtproutes/log/MailLog.java");

        assertThat(Files.readString(mailLog)).contains("PROBE_MARK = \"" + JamesRun.PROBE_MARK + "\";");
    }

    /** An option with a value placeholder (FILE, N, ...) is given "1"; any complaint but "unknown" is fine. */
    private static void assertRead(String[] option, Consumer<List<String>> parser) {
        List<String> args = option[1] == null ? List.of(option[0]) : List.of(option[0], "1");
        try {
            parser.accept(args);
        } catch (UsageException e) {
            assertThat(e.getMessage()).as(option[0]).doesNotContain("unknown option").doesNotContain("needs a value");
        }
    }

    /** {name, placeholder or null} of the option lines between two headings, read as the script reads them. */
    private static List<String[]> options(String from, String to) {
        String text = RunJames.USAGE;
        int start = text.indexOf(from);
        String section = to == null ? text.substring(start) : text.substring(start, text.indexOf(to));
        List<String[]> options = new ArrayList<>();
        for (String line : section.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (line.startsWith("  --")) {
                boolean valued = words.length > 1 && words[1].matches("[A-Z][^a-z]*");
                options.add(new String[] {words[0], valued ? words[1] : null});
            }
        }
        return options;
    }
}
