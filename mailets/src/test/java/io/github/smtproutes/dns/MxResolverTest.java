package io.github.smtproutes.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.SimpleResolver;

import io.github.smtproutes.dns.MxResolver.Answer;
import io.github.smtproutes.dns.MxResolver.Kind;
import io.github.smtproutes.testing.ScriptedDnsServer;

/** MxResolver against a scripted DNS server on 127.0.0.1: each DNS answer and what it means for mail. */
class MxResolverTest {
    static final ScriptedDnsServer DNS = ScriptedDnsServer.start()
        .mx("two.test", 20, "backup.two.test").mx("two.test", 10, "main.two.test")
        .a("main.two.test", "192.0.2.10").a("backup.two.test", "192.0.2.20").a("backup.two.test", "192.0.2.21")
        .mx("nullmx.test", 0, ".")
        .a("implicit.test", "192.0.2.30")
        .aaaa("v6only.test", "2001:db8::25")
        .mx("noaddress.test", 10, "gone.noaddress.test")
        .txt("records-but-no-mail.test", "v=spf1 -all")
        .mx("underscore.test", 5, "bad_name.underscore.test").mx("underscore.test", 10, "good.underscore.test")
        .a("bad_name.underscore.test", "192.0.2.40").a("good.underscore.test", "192.0.2.41")
        .mx("mixednull.test", 0, ".").mx("mixednull.test", 10, "mx.mixednull.test").a("mx.mixednull.test", "192.0.2.50")
        .mx("onlybad.test", 10, "bad_name.onlybad.test")
        .mx("mxfail.test", 10, "mx.mxfail.test").servfail("mx.mxfail.test")
        .servfail("servfail.test")
        .silent("silent.test");
    static final MxResolver RESOLVER = MxResolver.usingServers(DNS.address());

    @AfterAll
    static void stop() {
        DNS.close();
    }

    @Test
    void mxHostsComeInPreferenceOrderWithTheirAddresses() {
        Answer answer = RESOLVER.lookup("two.test");
        assertThat(answer.kind()).isEqualTo(Kind.HOSTS);
        assertThat(answer.hosts()).extracting(MxResolver.MxHost::name).containsExactly("main.two.test", "backup.two.test");
        assertThat(answer.hosts()).extracting(MxResolver.MxHost::preference).containsExactly(10, 20);
        assertThat(answer.hosts().get(1).addresses()).extracting(InetAddress::getHostAddress)
            .containsExactlyInAnyOrder("192.0.2.20", "192.0.2.21");
        assertThat(answer.problems()).isEmpty();
    }

    @Test
    void aNullMxMeansTheDomainTakesNoMail() {
        Answer answer = RESOLVER.lookup("nullmx.test");
        assertThat(answer.kind()).isEqualTo(Kind.NULL_MX);
        assertThat(answer.detail()).contains("nullmx.test", "null MX");
    }

    @Test
    void aNonExistentDomainIsFinal() {
        Answer answer = RESOLVER.lookup("nx.test");
        assertThat(answer.kind()).isEqualTo(Kind.NO_SUCH_DOMAIN);
        assertThat(answer.detail()).contains("NXDOMAIN");
    }

    @Test
    void withoutMxTheDomainItselfIsTheMailHost() {
        Answer answer = RESOLVER.lookup("implicit.test");
        assertThat(answer.kind()).isEqualTo(Kind.HOSTS);
        assertThat(answer.hosts()).singleElement().satisfies(host -> {
            assertThat(host.name()).isEqualTo("implicit.test");
            assertThat(host.addresses()).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.30");
        });
    }

    @Test
    void anIpv6OnlyHostIsUsed() {
        Answer answer = RESOLVER.lookup("v6only.test");
        assertThat(answer.hosts()).singleElement()
            .satisfies(host -> assertThat(host.addresses()).extracting(InetAddress::getHostAddress).containsExactly("2001:db8:0:0:0:0:0:25"));
    }

    @Test
    void aDomainWithoutMxAndWithoutAddressIsFinal() {
        // The name exists (NOERROR), but has neither MX nor A nor AAAA.
        Answer answer = RESOLVER.lookup("records-but-no-mail.test");
        assertThat(answer.kind()).isEqualTo(Kind.NO_SUCH_DOMAIN);
        assertThat(answer.detail()).contains("no MX and no address record");
    }

    @Test
    void anUnusableMxNameIsSkippedAndSaidWhy() {
        Answer answer = RESOLVER.lookup("underscore.test");
        assertThat(answer.kind()).isEqualTo(Kind.HOSTS);
        assertThat(answer.hosts()).extracting(MxResolver.MxHost::name).containsExactly("good.underscore.test");
        assertThat(answer.problems()).singleElement().satisfies(problem -> assertThat(problem).contains("bad_name.underscore.test", "'_'"));
    }

    @Test
    void aNullMxAmongOtherMxIsSkipped() {
        Answer answer = RESOLVER.lookup("mixednull.test");
        assertThat(answer.kind()).isEqualTo(Kind.HOSTS);
        assertThat(answer.hosts()).extracting(MxResolver.MxHost::name).containsExactly("mx.mixednull.test");
        assertThat(answer.problems()).hasSize(1);
    }

    @Test
    void anMxWhoseNamesAreAllUnusableGivesNoHostsAndTheReasons() {
        Answer answer = RESOLVER.lookup("onlybad.test");
        assertThat(answer.kind()).isEqualTo(Kind.HOSTS);
        assertThat(answer.hosts()).isEmpty();
        assertThat(answer.problems()).singleElement().satisfies(problem -> assertThat(problem).contains("bad_name.onlybad.test"));
    }

    @Test
    void anMxHostWithoutAddressOrWithAFailedLookupIsLeftOut() {
        assertThat(RESOLVER.lookup("noaddress.test").problems()).singleElement()
            .satisfies(problem -> assertThat(problem).contains("gone.noaddress.test", "unknown host"));
        assertThat(RESOLVER.lookup("mxfail.test").problems()).singleElement()
            .satisfies(problem -> assertThat(problem).contains("mx.mxfail.test", "temporary DNS failure"));
    }

    @Test
    void servfailIsTemporary() {
        Answer answer = RESOLVER.lookup("servfail.test");
        assertThat(answer.kind()).isEqualTo(Kind.TEMPORARY_FAILURE);
        assertThat(answer.detail()).contains("servfail.test", "SERVFAIL");
    }

    @Test
    void aDnsServerThatDoesNotAnswerIsTemporary() {
        SimpleResolver impatient = new SimpleResolver(new InetSocketAddress(DNS.address().split(":")[0], DNS.port()));
        impatient.setTimeout(Duration.ofMillis(300));
        Answer answer = MxResolver.using(impatient).lookup("silent.test");
        assertThat(answer.kind()).isEqualTo(Kind.TEMPORARY_FAILURE);
        assertThat(answer.detail()).contains("silent.test");
    }

    @Test
    void serversAreIpAddressesWithAnOptionalPort() {
        assertThat(MxResolver.usingServers("127.0.0.1:" + DNS.port() + ", [::1]:53").lookup("implicit.test").kind()).isEqualTo(Kind.HOSTS);
        assertThatThrownBy(() -> MxResolver.usingServers("dns.example.com"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'dns.example.com' is not an IP address");
        assertThatThrownBy(() -> MxResolver.usingServers("127.0.0.1:99999"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.1:99999");
    }
}
