package io.github.smtproutes.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The one line the runner shows when James does not start, read from James's real console output. */
class StartFailureTest {
    private static final String ROUTE_PROBLEM =
        "/w/conf/smtproutes.xml: route 'example.com': unknown element <hots> (allowed: <host>, <retry>, <auth>)";

    /** James 3.8.1's console for a route file with a typo, as the shipped logback pattern (%rEx) writes it. */
    private static final List<String> BROKEN_ROUTE_FILE = List.of(
        "17:12:08.188 [INFO ] o.a.j.m.l.AbstractStateMailetProcessor - Mailet ToProcessor instantiated.",
        "17:12:08.199 [ERROR] o.a.j.m.l.AbstractStateMailetProcessor - Unable to init matcher io.github.smtproutes.inbound.IsInboundRoute",
        "io.github.smtproutes.routes.RouteFileException: " + ROUTE_PROBLEM,
        "\tat io.github.smtproutes.routes.RouteFileParser.fail(RouteFileParser.java:80)",
        "Wrapped by: javax.mail.MessagingException: Matcher IsInboundRoute: " + ROUTE_PROBLEM,
        "17:12:08.201 [ERROR] o.a.j.m.l.AbstractStateMailetProcessor - Caused by nested exception: ",
        "io.github.smtproutes.routes.RouteFileException: " + ROUTE_PROBLEM,
        "17:12:08.202 [ERROR] o.a.j.GuiceJamesServer - Fatal error while starting James",
        "io.github.smtproutes.routes.RouteFileException: " + ROUTE_PROBLEM,
        "\t... 38 common frames omitted",
        "Wrapped by: javax.mail.MessagingException: Matcher IsInboundRoute: " + ROUTE_PROBLEM,
        "\t... 36 common frames omitted",
        "Wrapped by: javax.mail.MessagingException: Can not load matcher io.github.smtproutes.inbound.IsInboundRoute",
        "\t... 35 common frames omitted",
        "Wrapped by: org.apache.commons.configuration2.ex.ConfigurationException: Unable to init matcher io.github.smtproutes.inbound.IsInboundRoute",
        "\tat org.apache.james.mailetcontainer.impl.camel.CamelCompositeProcessor.init(CamelCompositeProcessor.java:90)");

    @Test
    void aBrokenRouteFileIsTheRouteFileMessageAloneWithoutTheMatcherThatLoadedIt() {
        assertThat(StartFailure.cause(BROKEN_ROUTE_FILE)).contains(ROUTE_PROBLEM);
    }

    @Test
    void theExtensionsMessageIsFoundWithTheOutermostExceptionFirstToo() {
        List<String> console = List.of(
            "17:12:08.202 [ERROR] o.a.j.GuiceJamesServer - Fatal error while starting James",
            "org.apache.commons.configuration2.ex.ConfigurationException: Unable to init matcher io.github.smtproutes.inbound.IsInboundRoute",
            "\tat org.apache.james.mailetcontainer.impl.camel.CamelCompositeProcessor.init(CamelCompositeProcessor.java:90)",
            "Caused by: javax.mail.MessagingException: Can not load matcher io.github.smtproutes.inbound.IsInboundRoute",
            "Caused by: io.github.smtproutes.routes.RouteFileException: " + ROUTE_PROBLEM);

        assertThat(StartFailure.cause(console)).contains(ROUTE_PROBLEM);
    }

    @Test
    void anyOtherFailureIsItsInnermostExceptionWithItsSimpleName() {
        List<String> console = List.of(
            "17:12:08.202 [ERROR] o.a.j.GuiceJamesServer - Fatal error while starting James",
            "java.net.BindException: Address already in use",
            "\tat java.base/sun.nio.ch.Net.bind0(Native Method)",
            "Wrapped by: org.jboss.netty.channel.ChannelException: Failed to bind to: /127.0.0.1:2525",
            "17:12:08.300 [INFO ] o.a.j.GuiceJamesServer - something after");

        assertThat(StartFailure.cause(console)).contains("BindException: Address already in use");
    }

    @Test
    void noFatalErrorNoCause() {
        assertThat(StartFailure.cause(List.of(
            "17:12:08.199 [ERROR] o.a.j.m.l.AbstractStateMailetProcessor - Unable to init matcher x.Y",
            "java.lang.IllegalStateException: boom"))).isEmpty();
    }
}
