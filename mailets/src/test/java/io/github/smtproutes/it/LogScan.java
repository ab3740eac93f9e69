package io.github.smtproutes.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;

/**
 * Everything every logger of the test JVM writes, at every level, as text: message, arguments,
 * MDC and stack traces. It hangs on the root logger and lowers the root level to DEBUG while
 * attached, so that tests can assert that a secret never reaches any log, not even a debug one.
 */
public final class LogScan extends AppenderBase<ILoggingEvent> {
    private final List<String> events = new ArrayList<>();
    private Level previousRootLevel;

    public static LogScan attach() {
        LogScan scan = new LogScan();
        scan.start();
        Logger root = root();
        scan.previousRootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        root.addAppender(scan);
        return scan;
    }

    public void detach() {
        Logger root = root();
        root.detachAppender(this);
        root.setLevel(previousRootLevel);
        stop();
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
        if (event.getArgumentArray() != null) {
            text.append(' ').append(Arrays.deepToString(event.getArgumentArray()));
        }
        text.append(' ').append(event.getMDCPropertyMap());
        if (event.getThrowableProxy() != null) {
            text.append(' ').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        events.add(text.toString());
    }

    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
