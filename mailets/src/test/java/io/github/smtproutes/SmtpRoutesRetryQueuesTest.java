package io.github.smtproutes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;

import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.retry.RetryQueueHandle;
import io.github.smtproutes.retry.RetryScheduler;

/** One repository, one scheduler: repository URLs are compared in their normalised form. */
class SmtpRoutesRetryQueuesTest {
    final SmtpRoutes smtpRoutes = new SmtpRoutes(null, Clock.systemUTC());

    @Test
    void aTrailingSlashOrTheProtocolsCaseDoesNotMakeASecondRepository() {
        RetryQueueHandle first = handle("file://var/mail/smtp-routes/retry");
        smtpRoutes.registerRetryQueue(first);

        assertThatThrownBy(() -> smtpRoutes.registerRetryQueue(handle("file://var/mail/smtp-routes/retry/")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("file://var/mail/smtp-routes/retry/ is already used by another SmtpRouteDelivery mailet");
        assertThatThrownBy(() -> smtpRoutes.registerRetryQueue(handle("FILE://var/mail/smtp-routes/retry//")))
            .isInstanceOf(IllegalStateException.class);
        assertThat(smtpRoutes.retryQueue("file://var/mail/smtp-routes/retry/")).containsSame(first);
        assertThat(smtpRoutes.retryQueues()).containsExactly(first);
    }

    @Test
    void anotherFolderIsAnotherRepositoryAndUnregisteringFreesTheName() {
        RetryQueueHandle first = handle("memory://var/mail/a/");
        smtpRoutes.registerRetryQueue(first);
        smtpRoutes.registerRetryQueue(handle("memory://var/mail/b/"));
        smtpRoutes.unregisterRetryQueue(first);
        smtpRoutes.registerRetryQueue(handle("memory://var/mail/a"));

        assertThat(smtpRoutes.retryQueues()).hasSize(2);
    }

    private static RetryQueueHandle handle(String url) {
        return new RetryQueueHandle(url, new RetryScheduler(new RetryQueue(new MemoryMailRepository()), mail -> { }, mail -> { },
            Clock.systemUTC(), RetryScheduler.Settings.DEFAULT));
    }
}
