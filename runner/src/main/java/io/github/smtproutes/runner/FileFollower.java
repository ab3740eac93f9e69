package io.github.smtproutes.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Follows a growing text file like {@code tail -f}: hands every new complete line to a consumer.
 * A daemon thread polls it; {@link #drain()} does the same at once, so that a caller can show the
 * log up to now before showing something that happened after it. Copes with a file that does not
 * exist yet and with one that is truncated or rolled over (it then reads the new file from its start).
 */
final class FileFollower implements AutoCloseable {
    private static final long POLL_MILLIS = 200;

    private final Path file;
    private final Consumer<String> onLine;
    private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private long position;
    private volatile boolean closed;
    private Thread thread;

    private FileFollower(Path file, long position, Consumer<String> onLine) {
        this.file = file;
        this.position = position;
        this.onLine = onLine;
    }

    /** Follows only what is written from now on (like tail -n 0 -f). */
    static FileFollower fromEnd(Path file, Consumer<String> onLine) {
        long size;
        try {
            size = Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            size = 0;
        }
        return new FileFollower(file, size, onLine);
    }

    /** Follows the whole file, from its first line. */
    static FileFollower fromStart(Path file, Consumer<String> onLine) {
        return new FileFollower(file, 0, onLine);
    }

    /** Polls in the background until closed. */
    FileFollower start(String threadName) {
        thread = new Thread(this::pollUntilClosed, threadName);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Hands every complete line written so far to the consumer. */
    synchronized void drain() {
        try {
            if (!Files.exists(file)) {
                return;
            }
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length < position) {
                    // Truncated or rolled over: the current file is a new one.
                    position = 0;
                    partialLine.reset();
                }
                in.seek(position);
                byte[] buffer = new byte[8192];
                int read;
                while (position < length && (read = in.read(buffer, 0, (int) Math.min(buffer.length, length - position))) > 0) {
                    position += read;
                    splitLines(buffer, read);
                }
            }
        } catch (IOException e) {
            // A log being rotated can vanish for a moment: try again at the next poll.
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void pollUntilClosed() {
        while (!closed) {
            drain();
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void splitLines(byte[] buffer, int length) {
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                String line = partialLine.toString(StandardCharsets.UTF_8);
                partialLine.reset();
                onLine.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            } else {
                partialLine.write(buffer[i]);
            }
        }
    }
}
