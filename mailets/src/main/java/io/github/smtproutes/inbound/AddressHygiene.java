package io.github.smtproutes.inbound;

import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

import io.github.smtproutes.log.ControlCharacters;

/**
 * The address checks of the SMTP intake, run before any route decides anything. Two rules:
 * <ul>
 *   <li>No address, sender or recipient, with a control character is accepted from anyone. RFC
 *   5321 section 4.1.2 allows only printable ASCII in a quoted local part and in a quoted pair,
 *   yet James's parser lets a bare CR, NUL or ESC through; written into MAIL/RCPT toward a
 *   downstream host that ends a line at a bare CR, it would become a command of its own.</li>
 *   <li>The recipients of inbound routes (mail any outsider may send) must have a plain local
 *   part: no quotes, no {@code @ % !} and no backslash. Those are source-routing and
 *   percent-hack forms ({@code "u@evil"@company}, {@code u%evil@company},
 *   {@code evil!u@company}) that an inside server may resolve to another destination and so
 *   relay for the outsider (Postfix leaves these forms alone with {@code allow_percent_hack=no}
 *   and {@code swap_bangpath=no}; Exim's default ACL refuses {@code @ % ! /} in local parts).</li>
 * </ul>
 * Refusals are 553 (RFC 5321 section 4.2.3: "mailbox name not allowed") with the enhanced
 * codes of RFC 3463: 5.1.3 for a recipient's syntax, 5.1.7 for the sender's.
 */
final class AddressHygiene {
    private AddressHygiene() {
    }

    /** A refusal for a sender holding a control character, or empty. The null sender passes. */
    static Optional<HookResult> checkSender(MaybeSender sender) {
        if (sender == null || sender.isNullSender()) {
            return Optional.empty();
        }
        if (hasControlCharacter(sender.asString())) {
            return Optional.of(refuse("5.1.7 Sender address contains a control character"));
        }
        return Optional.empty();
    }

    /**
     * A refusal for a recipient holding a control character (any recipient), or with a local part
     * that is not plain when {@code inbound} (its route takes mail from anyone); otherwise empty.
     */
    static Optional<HookResult> checkRecipient(MailAddress recipient, boolean inbound) {
        if (hasControlCharacter(recipient.asString())) {
            return Optional.of(refuse("5.1.3 Recipient address contains a control character"));
        }
        if (inbound) {
            return localPartProblem(recipient.getLocalPart())
                .map(problem -> refuse("5.1.3 Recipient local part " + problem + " is not accepted by this gateway"));
        }
        return Optional.empty();
    }

    /** What is wrong with an inbound local part, or empty when it is plain. */
    static Optional<String> localPartProblem(String localPart) {
        if (localPart.indexOf('"') >= 0) {
            return Optional.of("in quotes");
        }
        for (char c : localPart.toCharArray()) {
            if (c == '@' || c == '%' || c == '!' || c == '\\') {
                return Optional.of("with '" + c + "'");
            }
        }
        return Optional.empty();
    }

    private static boolean hasControlCharacter(String text) {
        return ControlCharacters.containsAny(text);
    }

    private static HookResult refuse(String description) {
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode("553")
            .smtpDescription(description)
            .build();
    }
}
