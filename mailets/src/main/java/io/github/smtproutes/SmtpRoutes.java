package io.github.smtproutes;

import java.io.File;
import java.io.FileNotFoundException;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;

import io.github.smtproutes.delivery.HostHealth;
import io.github.smtproutes.delivery.RoundRobin;
import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.routes.RouteFileParser;

/**
 * The state SMTP Routes shares across one James process: the loaded route tables (one per route
 * file, the very same instance for the matcher, the mailet and WebAdmin), the round-robin
 * positions and the health of destination hosts. Guice creates it once ({@code @Singleton}); the
 * James-facing classes get it injected.
 */
@Singleton
public class SmtpRoutes {
    public static final String DEFAULT_ROUTES = "file://conf/smtproutes.xml";

    private final FileSystem fileSystem;
    private final RoundRobin roundRobin = new RoundRobin();
    private final HostHealth health;
    private final ConcurrentHashMap<String, LiveRouteTable> tables = new ConcurrentHashMap<>();

    @Inject
    public SmtpRoutes(FileSystem fileSystem, Clock clock) {
        this.fileSystem = fileSystem;
        this.health = new HostHealth(clock);
    }

    /** The live table of the route file at {@code location} (a James FileSystem URL), loaded once. */
    public LiveRouteTable table(String location) throws RouteFileException {
        File file = resolve(location);
        String key = file.getAbsolutePath();
        LiveRouteTable table = tables.get(key);
        if (table != null) {
            return table;
        }
        synchronized (tables) {
            table = tables.get(key);
            if (table == null) {
                table = LiveRouteTable.load(file, new RouteFileParser());
                tables.put(key, table);
            }
            return table;
        }
    }

    public RoundRobin roundRobin() {
        return roundRobin;
    }

    public HostHealth health() {
        return health;
    }

    private File resolve(String location) throws RouteFileException {
        try {
            return fileSystem.getFile(location);
        } catch (FileNotFoundException e) {
            throw new RouteFileException(location + ": route file not found");
        }
    }
}
