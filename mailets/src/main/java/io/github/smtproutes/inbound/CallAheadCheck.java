package io.github.smtproutes.inbound;

import java.util.Optional;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

import io.github.smtproutes.routes.RecipientVerification;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.verify.CallAheadSettings;
import io.github.smtproutes.verify.RcptAnswer;
import io.github.smtproutes.verify.RecipientVerifier;

/**
 * The RCPT hook's adapter over {@link RecipientVerifier}: for an inbound recipient whose route
 * says {@code verifyRecipients="callahead"}, turns the verifier's {@link RcptAnswer} into James's
 * hook result. OK ends the RCPT checks, as for any inbound recipient; a refusal carries the
 * destination host's code and text (DENY) or {@code 451 4.4.3} (DENYSOFT). Routes that do not
 * verify are accepted as before, without a question to any host.
 */
final class CallAheadCheck {
    private final RecipientVerifier verifier;

    CallAheadCheck(RecipientVerifier verifier) {
        this.verifier = verifier;
    }

    /** Applies the hook's {@code <callAhead>} element, if it has one, to the James-wide verifier. */
    void configure(Configuration hook, String hookName) throws ConfigurationException {
        Optional<CallAheadSettings> settings = CallAheadSettings.read(hook, hookName);
        if (settings.isPresent()) {
            try {
                verifier.configure(settings.get(), hookName);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(hookName + ": " + e.getMessage(), e);
            }
        }
    }

    HookResult check(SMTPSession session, Route route, MailAddress recipient) {
        if (route.verifyRecipients() == RecipientVerification.OFF) {
            return HookResult.OK;
        }
        RcptAnswer answer = verifier.answerRcpt(route, recipient, "ICID " + session.getSessionID());
        if (answer.accept()) {
            return HookResult.OK;
        }
        return HookResult.builder()
            .hookReturnCode(answer.reply().isPermanent() ? HookReturnCode.deny() : HookReturnCode.denySoft())
            .smtpReturnCode(answer.code())
            .smtpDescription(answer.description())
            .build();
    }
}
