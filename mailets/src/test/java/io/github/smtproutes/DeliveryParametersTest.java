package io.github.smtproutes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import javax.mail.MessagingException;

import org.junit.jupiter.api.Test;

import io.github.smtproutes.smtp.ClientSettings;

/** The SMTP client's time bounds as mailet parameters: defaults, and a clear error for bounds that contradict each other. */
class DeliveryParametersTest {
    @Test
    void everyTimeBoundHasItsDefault() throws Exception {
        ClientSettings settings = parameters(Map.of()).clientSettings(() -> "relay.test");

        assertThat(settings.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.dataTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.writeTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(settings.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void theBoundsAreReadFromTheirParameters() throws Exception {
        ClientSettings settings = parameters(Map.of("dataTimeout", "5m", "writeTimeout", "90s", "transactionTimeout", "20m"))
            .clientSettings(() -> "relay.test");

        assertThat(settings.dataTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.writeTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.transactionTimeout()).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void aTransactionBoundNoLongerThanTheDotsIsAStartUpError() {
        assertThatThrownBy(() -> parameters(Map.of("dataTimeout", "20m")).clientSettings(() -> "relay.test"))
            .isInstanceOf(MessagingException.class)
            .hasMessage("Mailet SmtpRouteDelivery: timeout parameters: transactionTimeout (900000 ms) must be longer than "
                + "timeout, dataTimeout and writeTimeout (the longest is 1200000 ms)");
    }

    @Test
    void aBadDurationNamesTheParameter() {
        assertThatThrownBy(() -> parameters(Map.of("writeTimeout", "soon")).clientSettings(() -> "relay.test"))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("Mailet SmtpRouteDelivery: parameter 'writeTimeout' is 'soon'");
    }

    private static DeliveryParameters parameters(Map<String, String> values) {
        return new DeliveryParameters("SmtpRouteDelivery", values::get);
    }
}
