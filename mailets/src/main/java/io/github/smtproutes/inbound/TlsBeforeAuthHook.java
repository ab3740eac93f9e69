package io.github.smtproutes.inbound;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/**
 * SMTP AUTH hook that refuses every AUTH made before STARTTLS, listed first in
 * {@code smtpserver.xml}'s {@code <handlerchain>}. James 3.8.1's {@code <requireSSL>} only stops
 * announcing AUTH in clear; a client that sends AUTH PLAIN anyway is still checked against the
 * users repository, so a password guesser on port 25 needs no TLS. With this hook the answer is
 * RFC 4954 section 6's 538 "Encryption required", whatever the password, and the password is never
 * checked. Over TLS it declines, and James's own hooks decide.
 */
public class TlsBeforeAuthHook implements AuthHook {
    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        return refuseWithoutTls(session);
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return refuseWithoutTls(session);
    }

    private static HookResult refuseWithoutTls(SMTPSession session) {
        if (session.isTLSStarted()) {
            return HookResult.DECLINED;
        }
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode("538")
            .smtpDescription("5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first")
            .build();
    }
}
