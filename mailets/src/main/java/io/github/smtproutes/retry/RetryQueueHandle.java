package io.github.smtproutes.retry;

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

    /** The James mail repository URL, e.g. {@code file://var/mail/smtp-routes/retry/}. */
    public String repositoryUrl() {
        return repositoryUrl;
    }

    public RetryQueue queue() {
        return scheduler.queue();
    }

    public RetryScheduler scheduler() {
        return scheduler;
    }
}
