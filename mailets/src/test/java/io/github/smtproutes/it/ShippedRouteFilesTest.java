package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.smtproutes.routes.RouteFileParser;
import io.github.smtproutes.routes.RouteTable;

/**
 * The route files this repository ships load with the parser James uses: the example in
 * {@code conf/} (which the integration tests replace with their own hosts) and the Docker demo.
 */
class ShippedRouteFilesTest {
    @ParameterizedTest
    @ValueSource(strings = {"conf/smtproutes.xml", "docker/smtproutes-demo.xml"})
    void aShippedRouteFileLoads(String file) throws Exception {
        Path path = RoutesJames.REPO_CONF.getParent().resolve(file);
        try (InputStream in = Files.newInputStream(path)) {
            RouteTable table = new RouteFileParser(name -> null).parse(in, file, path.getParent());

            assertThat(table.routes()).isNotEmpty();
        }
    }
}
