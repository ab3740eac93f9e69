package io.github.smtproutes.retry;

import java.util.Locale;
import java.util.Objects;

/**
 * One live retry queue as the rest of SMTP Routes (WebAdmin, metrics, route flush) sees it: the
 * James repository URL it lives in, the queue, and the scheduler that drains it. Registered on
 * {@code SmtpRoutes} by the mailet that owns it, for as long as that mailet lives.
 */
public final class RetryQueueHandle {
    private final String repositoryUrl;
    private final RetryScheduler scheduler;

    public RetryQueueHandle(String repositoryUrl, RetryScheduler scheduler) {
        this.repositoryUrl = Objects.requireNonNull(repositoryUrl, "repositoryUrl");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /** The James mail repository URL, e.g. {@code file://var/mail/smtp-routes/retry/}, as configured. */
    public String repositoryUrl() {
        return repositoryUrl;
    }

    /** The repository URL as compared with others: {@link #normalised}. */
    public String sameRepository() {
        return normalised(repositoryUrl);
    }

    /**
     * A repository URL in the form two URLs naming one repository share: surrounding blanks and
     * trailing slashes removed, the protocol in lower case ({@code file://var/mail/retry/} and
     * {@code FILE://var/mail/retry} are one folder, so one retry queue with one scheduler).
     */
    public static String normalised(String repositoryUrl) {
        String url = repositoryUrl.trim();
        while (url.endsWith("/") && !url.endsWith("://")) {
            url = url.substring(0, url.length() - 1);
        }
        int separator = url.indexOf("://");
        return separator < 0 ? url : url.substring(0, separator).toLowerCase(Locale.ROOT) + url.substring(separator);
    }

    public RetryQueue queue() {
        return scheduler.queue();
    }

    public RetryScheduler scheduler() {
        return scheduler;
    }
}
