package io.github.smtproutes.inbound;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;

/**
 * The address checks of {@link InboundRouteRcptHook} without inbound gateway mode, for a listener
 * where every relay needs AUTH (the shipped submission port, 587): a sender or recipient with a
 * control character is refused at MAIL or RCPT ({@link AddressHygiene}). It never accepts a
 * recipient; James's own rules decide the rest.
 */
public class AddressHygieneHook implements MailHook, RcptHook {
    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return AddressHygiene.checkSender(sender).orElse(HookResult.DECLINED);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return AddressHygiene.checkSender(sender)
            .or(() -> AddressHygiene.checkRecipient(rcpt, false))
            .orElse(HookResult.DECLINED);
    }
}
