package io.github.smtproutes.testing;

/**
 * What a {@link ScriptedSmtpServer} has been told to do at one {@link SmtpPhase}: answer normally,
 * answer with a given reply, drop the connection, or hang. Immutable, so that a session reading it
 * while a test rescripts the server always sees one consistent instruction.
 */
final class PhaseScript {
    private enum Kind { NORMAL, REPLY, DROP, HANG }

    static final PhaseScript NORMAL = new PhaseScript(Kind.NORMAL, null);
    private static final PhaseScript DROP = new PhaseScript(Kind.DROP, null);
    private static final PhaseScript HANG = new PhaseScript(Kind.HANG, null);

    private final Kind kind;
    private final String reply;

    private PhaseScript(Kind kind, String reply) {
        this.kind = kind;
        this.reply = reply;
    }

    static PhaseScript reply(String reply) {
        return new PhaseScript(Kind.REPLY, Replies.validate(reply));
    }

    static PhaseScript drop() {
        return DROP;
    }

    static PhaseScript hang() {
        return HANG;
    }

    boolean drops() {
        return kind == Kind.DROP;
    }

    boolean hangs() {
        return kind == Kind.HANG;
    }

    /** The scripted reply if there is one, otherwise the reply the server would normally give. */
    String replyOr(String normalReply) {
        return kind == Kind.REPLY ? reply : normalReply;
    }

    @Override
    public String toString() {
        return kind == Kind.REPLY ? "REPLY " + reply : kind.name();
    }
}
