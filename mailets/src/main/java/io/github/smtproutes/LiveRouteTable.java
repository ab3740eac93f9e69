package io.github.smtproutes;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.routes.RouteFileParser;
import io.github.smtproutes.routes.RouteTable;

/**
 * The route table of one route file as James uses it right now. Readers always see a complete
 * table; {@link #reload()} parses the file again and swaps the table in only when it is valid
 * (and passes every check its users added), so a bad edit leaves the running table in place.
 */
public final class LiveRouteTable {
    /** A rule a user of the table adds, e.g. a mailet's retry defaults against each route's {@code <retry>}. */
    @FunctionalInterface
    public interface Check {
        void verify(RouteTable table) throws RouteFileException;
    }

    private final File file;
    private final RouteFileParser parser;
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private volatile RouteTable current;

    private LiveRouteTable(File file, RouteFileParser parser, RouteTable initial) {
        this.file = file;
        this.parser = parser;
        this.current = initial;
    }

    static LiveRouteTable load(File file, RouteFileParser parser) throws RouteFileException {
        return new LiveRouteTable(file, parser, parse(file, parser));
    }

    public RouteTable current() {
        return current;
    }

    public File file() {
        return file;
    }

    /**
     * Adds a rule every table must pass, checked against the running table now and against every
     * reloaded one before it is swapped in.
     */
    public synchronized void addCheck(Check check) throws RouteFileException {
        check.verify(current);
        checks.add(check);
    }

    public void removeCheck(Check check) {
        checks.remove(check);
    }

    /** Re-reads the file; on error the running table stays and the error is thrown. */
    public synchronized RouteTable reload() throws RouteFileException {
        RouteTable table = parse(file, parser);
        for (Check check : checks) {
            check.verify(table);
        }
        current = table;
        return table;
    }

    private static RouteTable parse(File file, RouteFileParser parser) throws RouteFileException {
        if (!file.isFile()) {
            throw new RouteFileException(file.getPath() + ": route file not found");
        }
        try (InputStream in = Files.newInputStream(file.toPath())) {
            return parser.parse(in, file.getPath(), file.getAbsoluteFile().getParentFile().toPath());
        } catch (IOException e) {
            throw new RouteFileException(file.getPath() + ": cannot read route file: " + e.getMessage());
        }
    }
}
