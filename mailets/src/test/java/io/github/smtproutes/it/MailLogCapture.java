package io.github.smtproutes.it;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import io.github.smtproutes.log.MailLog;

/**
 * Collects the lines James writes to the SMTP Routes mail log during a test, so that tests can
 * assert on what an admin would read.
 */
public final class MailLogCapture extends AppenderBase<ILoggingEvent> {
    private final List<String> lines = new ArrayList<>();

    public static MailLogCapture attach() {
        MailLogCapture capture = new MailLogCapture();
        capture.start();
        ((Logger) LoggerFactory.getLogger(MailLog.LOGGER_NAME)).addAppender(capture);
        return capture;
    }

    public void detach() {
        ((Logger) LoggerFactory.getLogger(MailLog.LOGGER_NAME)).detachAppender(this);
        stop();
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        lines.add(event.getFormattedMessage());
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized List<String> linesContaining(String text) {
        return lines.stream().filter(line -> line.contains(text)).collect(Collectors.toList());
    }

    public synchronized void clear() {
        lines.clear();
    }
}
