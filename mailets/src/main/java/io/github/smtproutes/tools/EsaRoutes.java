package io.github.smtproutes.tools;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line: converts routes between the ESA text form and {@code smtproutes.xml}.
 * <pre>
 * java -cp smtp-routes.jar io.github.smtproutes.tools.EsaRoutes import routes.txt &gt; smtproutes.xml
 * java -cp smtp-routes.jar io.github.smtproutes.tools.EsaRoutes export smtproutes.xml &gt; routes.txt
 * </pre>
 * Needs the JDK only. Output goes to stdout only when the whole input is valid; otherwise every
 * problem goes to stderr with its line number and the exit status is 1 (2 for a usage error).
 * Route settings with no ESA form are never dropped silently: export writes a {@code #} line
 * naming them above the route and warns on stderr.
 */
public final class EsaRoutes {
    static final int OK = 0;
    static final int INVALID_INPUT = 1;
    static final int USAGE = 2;
    static final String UNEXPORTABLE_MARK = " NOT EXPORTED (no ESA form) for route '";

    private EsaRoutes() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !(args[0].equals("import") || args[0].equals("export"))) {
            err.println("usage: EsaRoutes import <routes.txt>      (writes smtproutes.xml to stdout)");
            err.println("       EsaRoutes export <smtproutes.xml>  (writes ESA routes to stdout)");
            return USAGE;
        }
        Path file = Path.of(args[1]);
        try {
            byte[] input = Files.readAllBytes(file);
            return args[0].equals("import") ? importText(input, args[1], out, err) : exportXml(input, args[1], out, err);
        } catch (NoSuchFileException e) {
            err.println(args[1] + ": no such file");
            return INVALID_INPUT;
        } catch (IOException e) {
            err.println(args[1] + ": cannot read: " + e.getMessage());
            return INVALID_INPUT;
        }
    }

    private static int importText(byte[] input, String source, PrintStream out, PrintStream err) {
        Reading reading = EsaText.read(new String(input, StandardCharsets.UTF_8), source);
        if (!reading.problems.isEmpty()) {
            reading.problems.forEach(err::println);
            err.println("nothing written: " + reading.problems.size() + " problem(s)");
            return INVALID_INPUT;
        }
        out.print(RouteXml.write(reading.entries));
        out.flush();
        return OK;
    }

    private static int exportXml(byte[] input, String source, PrintStream out, PrintStream err) throws IOException {
        Reading reading;
        try (InputStream xml = new ByteArrayInputStream(input)) {
            reading = RouteXml.read(xml, source);
        }
        if (!reading.problems.isEmpty()) {
            reading.problems.forEach(err::println);
            err.println("nothing written: " + reading.problems.size() + " problem(s)");
            return INVALID_INPUT;
        }
        List<EsaEntry> entries = new ArrayList<>();
        for (EsaEntry entry : reading.entries) {
            if (!entry.isComment() && !entry.unexportable().isEmpty()) {
                String settings = String.join(", ", entry.unexportable());
                // The ESA form has no place for these settings: say so where the admin will look.
                entries.add(EsaEntry.comment(UNEXPORTABLE_MARK + entry.domain() + "': " + settings.replace("--", "- -")));
                err.println("warning: route '" + entry.domain() + "' has settings with no ESA form, not exported: " + settings);
            }
            entries.add(entry);
        }
        out.print(EsaText.write(entries));
        out.flush();
        return OK;
    }
}
