package io.github.smtproutes.smtp;

import java.util.Properties;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.TlsMode;

/**
 * Translates a route's {@code tls} mode into javax.mail session properties. Opportunistic and
 * required TLS encrypt without judging the certificate, as MTAs do between themselves (RFC 7435);
 * only "verify" checks the chain and the host name. A route with AUTH and without
 * {@code allowPlainAuth} is upgraded to required TLS so that credentials never travel in clear.
 */
final class TlsSettings {
    private TlsSettings() {
    }

    static void apply(Route route, Properties props) {
        TlsMode mode = effectiveMode(route);
        switch (mode) {
            case NONE:
                props.put("mail.smtp.starttls.enable", "false");
                return;
            case OPPORTUNISTIC:
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.ssl.trust", "*");
                return;
            case REQUIRED:
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.starttls.required", "true");
                props.put("mail.smtp.ssl.trust", "*");
                return;
            case VERIFY:
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.starttls.required", "true");
                props.put("mail.smtp.ssl.checkserveridentity", "true");
                return;
            default:
                throw new IllegalStateException("unknown TLS mode " + mode);
        }
    }

    static TlsMode effectiveMode(Route route) {
        boolean authNeedsTls = route.auth().isPresent() && !route.allowPlainAuth();
        if (authNeedsTls && (route.tls() == TlsMode.NONE || route.tls() == TlsMode.OPPORTUNISTIC)) {
            return TlsMode.REQUIRED;
        }
        return route.tls();
    }
}
