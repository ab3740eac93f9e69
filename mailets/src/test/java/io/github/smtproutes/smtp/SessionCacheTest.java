package io.github.smtproutes.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.UUID;

import javax.mail.Session;

import org.junit.jupiter.api.Test;

class SessionCacheTest {
    private static Properties settings(String heloName) {
        Properties props = new Properties();
        props.put("mail.smtp.localhost", heloName);
        return props;
    }

    @Test
    void aClosedConnectionsSessionServesTheNextOneWithTheSameSettings() {
        Properties settings = settings("helo-" + UUID.randomUUID());
        SessionCache.Lease lease = SessionCache.take(settings);
        Session first = lease.session();
        first.getProperties().put("mail.smtp.from", "a@example.com");
        lease.giveBack();

        Session second = SessionCache.take(settings).session();

        assertThat(second).isSameAs(first);
        assertThat(second.getProperty("mail.smtp.localhost")).isEqualTo(settings.getProperty("mail.smtp.localhost"));
    }

    @Test
    void aSessionInUseIsNeverHandedOutTwice() {
        Properties settings = settings("helo-" + UUID.randomUUID());
        Session first = SessionCache.take(settings).session();

        Session second = SessionCache.take(settings).session();

        assertThat(second).isNotSameAs(first);
    }

    @Test
    void otherSettingsGetAnotherSession() {
        Properties one = settings("helo-" + UUID.randomUUID());
        Properties other = settings("helo-" + UUID.randomUUID());
        SessionCache.Lease lease = SessionCache.take(one);
        Session first = lease.session();
        lease.giveBack();

        Session forOther = SessionCache.take(other).session();

        assertThat(forOther).isNotSameAs(first);
        assertThat(forOther.getProperty("mail.smtp.localhost")).isEqualTo(other.getProperty("mail.smtp.localhost"));
    }

    @Test
    void changingTheCallersPropertiesLaterDoesNotChangeATakenSession() {
        Properties settings = settings("helo-" + UUID.randomUUID());
        Session session = SessionCache.take(settings).session();

        settings.put("mail.smtp.localhost", "changed");

        assertThat(session.getProperty("mail.smtp.localhost")).isNotEqualTo("changed");
    }
}
