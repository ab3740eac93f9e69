package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checks every way a destination host can be written, and the refusal of bad hosts, ports and priorities. */
class RouteHostTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mx.example.com        | mx.example.com | 25   | mx.example.com:25",
        "MX.Example.COM:2525   | mx.example.com | 2525 | mx.example.com:2525",
        "192.168.1.10          | 192.168.1.10   | 25   | 192.168.1.10:25",
        "192.168.1.11:2525     | 192.168.1.11   | 2525 | 192.168.1.11:2525",
        "::1                   | ::1            | 25   | [::1]:25",
        "2001:DB8::1           | 2001:db8::1    | 25   | [2001:db8::1]:25",
        "[::1]                 | ::1            | 25   | [::1]:25",
        "[2001:db8::1]:2525    | 2001:db8::1    | 2525 | [2001:db8::1]:2525",
        "localhost             | localhost      | 25   | localhost:25"})
    void parsesEveryForm(String text, String host, int port, String address) {
        RouteHost parsed = RouteHost.parse(text, 7);

        assertThat(parsed.host()).isEqualTo(host);
        assertThat(parsed.port()).isEqualTo(port);
        assertThat(parsed.priority()).isEqualTo(7);
        assertThat(parsed.address()).isEqualTo(address);
    }

    @Test
    void ofAcceptsBracketedIpv6AndStoresItBare() {
        RouteHost host = RouteHost.of("[::1]", 2525, 0);

        assertThat(host.host()).isEqualTo("::1");
        assertThat(host.address()).isEqualTo("[::1]:2525");
    }

    @Test
    void toStringIsAddressAndPriority() {
        assertThat(RouteHost.of("192.168.1.11", 2525, 10)).hasToString("192.168.1.11:2525/pri=10");
        assertThat(RouteHost.of("::1", 2525, 0)).hasToString("[::1]:2525/pri=0");
    }

    @Test
    void equalityCoversHostPortAndPriority() {
        assertThat(RouteHost.of("MX.example.com", 25, 0))
            .isEqualTo(RouteHost.parse("mx.example.com", 0))
            .hasSameHashCodeAs(RouteHost.parse("mx.example.com:25", 0))
            .isNotEqualTo(RouteHost.of("mx.example.com", 26, 0))
            .isNotEqualTo(RouteHost.of("mx.example.com", 25, 1))
            .isNotEqualTo(RouteHost.of("mx2.example.com", 25, 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1:99999         | port must be 1..65535",
        "10.0.0.1:0             | port must be 1..65535",
        "10.0.0.1:65536         | port must be 1..65535",
        "10.0.0.1:123456789012  | port must be 1..65535",
        "mx.example.com:smtp    | port 'smtp' is not a number",
        "mx.example.com:-1      | port '-1' is not a number",
        "999.1.1.1              | not a valid IPv4 address",
        "10.0.0                 | not a valid IPv4 address",
        "12345                  | not a valid IPv4 address",
        "zz::1                  | not a valid IPv6 address",
        "[1.2.3.4]:25           | brackets are only for IPv6 addresses",
        "[::1                   | missing ']' after the IPv6 address",
        "[::1]2525              | expected ':port' after ']'",
        "mx..example.com        | host name has an empty label (two dots in a row or a leading dot)",
        "mx_1.example.com       | host name contains '_'; only letters, digits, '-' and '.' are allowed",
        "mx.example.com.        | host name must not end with a dot",
        "-mx.example.com        | host name has a label starting or ending with '-'"})
    void refusesBadHosts(String text, String message) {
        assertThatThrownBy(() -> RouteHost.parse(text, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void refusesEmptyHostAndBadPriority() {
        assertThatThrownBy(() -> RouteHost.parse("  ", 0)).hasMessage("host is empty");
        assertThatThrownBy(() -> RouteHost.of("mx.example.com", 25, -1)).hasMessage("priority must be 0..65535");
        assertThatThrownBy(() -> RouteHost.of("mx.example.com", 25, 65536)).hasMessage("priority must be 0..65535");
    }
}
