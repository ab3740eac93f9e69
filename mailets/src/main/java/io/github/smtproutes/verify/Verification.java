package io.github.smtproutes.verify;

import java.util.Objects;
import java.util.Optional;

import io.github.smtproutes.smtp.CallAheadAnswer;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * The result of verifying one recipient with its route's hosts: the {@link CallAheadAnswer.Verdict}
 * (accepted, refused, or no answer from any host), the reply that decided it, the host that gave
 * it (none when no host answered), and whether it came from the cache. Immutable.
 */
public final class Verification {
    private final CallAheadAnswer.Verdict verdict;
    private final SmtpReply reply;
    private final Optional<String> host;
    private final boolean fromCache;

    private Verification(CallAheadAnswer.Verdict verdict, SmtpReply reply, Optional<String> host, boolean fromCache) {
        this.verdict = Objects.requireNonNull(verdict, "verdict");
        this.reply = Objects.requireNonNull(reply, "reply");
        this.host = host;
        this.fromCache = fromCache;
    }

    /** A definite answer (accepted or refused) from the host that gave it. */
    public static Verification answered(CallAheadAnswer answer) {
        return new Verification(answer.verdict(), answer.reply(), Optional.of(answer.host()), false);
    }

    /** No host gave a definite answer; {@code why} says what the last attempt met. */
    public static Verification noAnswer(String why) {
        return new Verification(CallAheadAnswer.Verdict.NO_ANSWER, SmtpReply.none(why), Optional.empty(), false);
    }

    public static Verification accepted(SmtpReply reply, String host) {
        return new Verification(CallAheadAnswer.Verdict.ACCEPTED, reply, Optional.of(host), false);
    }

    public static Verification refused(SmtpReply reply, String host) {
        return new Verification(CallAheadAnswer.Verdict.REFUSED, reply, Optional.of(host), false);
    }

    /** The same result, marked as served from the cache. */
    Verification cached() {
        return fromCache ? this : new Verification(verdict, reply, host, true);
    }

    public CallAheadAnswer.Verdict verdict() {
        return verdict;
    }

    public boolean isAccepted() {
        return verdict == CallAheadAnswer.Verdict.ACCEPTED;
    }

    public boolean isRefused() {
        return verdict == CallAheadAnswer.Verdict.REFUSED;
    }

    public boolean isDefinite() {
        return verdict != CallAheadAnswer.Verdict.NO_ANSWER;
    }

    public SmtpReply reply() {
        return reply;
    }

    public Optional<String> host() {
        return host;
    }

    public boolean fromCache() {
        return fromCache;
    }

    /** The word the mail log and WebAdmin use: accept, reject, or unknown. */
    public String word() {
        switch (verdict) {
            case ACCEPTED:
                return "accept";
            case REFUSED:
                return "reject";
            default:
                return "unknown";
        }
    }

    @Override
    public String toString() {
        return word() + host.map(value -> " by " + value).orElse("") + ": " + reply + (fromCache ? " (cached)" : "");
    }
}
