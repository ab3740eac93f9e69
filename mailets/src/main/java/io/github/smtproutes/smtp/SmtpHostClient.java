package io.github.smtproutes.smtp;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.routes.Route;

/**
 * Delivers one mail to one destination host and reports the {@link SmtpOutcome}. It opens a
 * session (or takes one from a pool), runs the transaction, writes the per-recipient mail-log
 * lines, and leaves all judgement to {@link OutcomeClassifier}.
 */
public final class SmtpHostClient {
    private final ClientSettings settings;

    public SmtpHostClient(ClientSettings settings) {
        this.settings = settings;
    }

    public ClientSettings settings() {
        return settings;
    }

    public SmtpOutcome deliver(HostAddress host, Route route, String domain, OutboundMessage message, List<MailAddress> recipients) {
        SessionTrace trace = new SessionTrace(host.endpoint(), recipients);
        Optional<SmtpConnection> opened = SmtpConnection.open(host, route, settings, domain, trace);
        if (opened.isEmpty()) {
            return OutcomeClassifier.classify(trace, route.possibleDelivery());
        }
        SmtpConnection connection = opened.get();
        MailLog.deliveryStart(connection.dcid(), message.mid(), message.rids(recipients));
        connection.send(message, recipients, settings, trace);
        SmtpOutcome outcome = OutcomeClassifier.classify(trace, route.possibleDelivery());
        if (outcome.phase() == SmtpPhase.DONE) {
            connection.close();
        } else {
            connection.abort();
        }
        logTransaction(connection.dcid(), message, outcome);
        return outcome;
    }

    private static void logTransaction(long dcid, OutboundMessage message, SmtpOutcome outcome) {
        List<MailAddress> accepted = outcome.accepted();
        if (!accepted.isEmpty()) {
            if (outcome.phase() == SmtpPhase.DONE) {
                MailLog.messageDone(dcid, message.mid(), message.rids(accepted), outcome.reply().text());
            } else {
                MailLog.possibleDelivery(dcid, message.mid(), message.rids(accepted), outcome.reply().text());
            }
        }
        for (RecipientOutcome next : outcome.withDisposition(RecipientOutcome.Disposition.NEXT_HOST)) {
            MailLog.delayed(dcid, message.mid(), message.rid(next.recipient()), next.reply().text());
        }
        for (RecipientOutcome bounced : outcome.withDisposition(RecipientOutcome.Disposition.BOUNCE)) {
            MailLog.bounced(dcid, message.mid(), message.sender().asString(), bounced.recipient().asString(),
                message.rid(bounced.recipient()), bounced.reply().text());
        }
    }
}
