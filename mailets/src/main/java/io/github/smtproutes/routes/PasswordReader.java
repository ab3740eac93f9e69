package io.github.smtproutes.routes;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Fetches the password an {@code <auth>} element points to: the content of a UTF-8 file (without
 * its trailing line break; relative paths are taken from the route file's directory) or the value
 * of an environment variable. Problems name the path or the variable, never the password.
 */
final class PasswordReader {
    private final Path baseDirectory;
    private final Function<String, String> environment;

    /**
     * @param baseDirectory the route file's directory, or null if it has none, in which case
     *     relative password files are refused
     */
    PasswordReader(Path baseDirectory, Function<String, String> environment) {
        this.baseDirectory = baseDirectory;
        this.environment = environment;
    }

    /** @throws IllegalArgumentException if the file cannot be read or is empty */
    RouteAuth fromFile(String user, String writtenPath) {
        Path path = resolve(writtenPath);
        String source = "file " + path;
        String password = withoutTrailingLineBreaks(read(path));
        if (password.isEmpty()) {
            throw new IllegalArgumentException("password file '" + path + "' is empty");
        }
        return RouteAuth.of(user, password, source);
    }

    /** @throws IllegalArgumentException if the variable is unset or empty */
    RouteAuth fromEnvironment(String user, String variable) {
        String password = environment.apply(variable);
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("environment variable '" + variable + "' is not set");
        }
        return RouteAuth.of(user, password, "env " + variable);
    }

    private Path resolve(String writtenPath) {
        Path path;
        try {
            path = Path.of(writtenPath);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("passwordFile '" + writtenPath + "' is not a valid path");
        }
        if (path.isAbsolute()) {
            return path.normalize();
        }
        if (baseDirectory == null) {
            throw new IllegalArgumentException("passwordFile '" + writtenPath
                + "' is relative but the route file has no directory to resolve it against");
        }
        return baseDirectory.resolve(path).toAbsolutePath().normalize();
    }

    /** Reports failures by path and cause type only: an exception message could quote the content. */
    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("password file '" + path + "' does not exist");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("password file '" + path + "' is not readable: permission denied");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password file '" + path + "' is not valid UTF-8");
        } catch (IOException e) {
            throw new IllegalArgumentException("password file '" + path + "' cannot be read ("
                + e.getClass().getSimpleName() + ")");
        }
    }

    private static String withoutTrailingLineBreaks(String content) {
        int end = content.length();
        while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
            end--;
        }
        return content.substring(0, end);
    }
}
