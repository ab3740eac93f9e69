#!/usr/bin/env python3
"""A demo SMTP destination host for docker-compose.yml, Python standard library only.

    smtp_host.py --name dest-ok                          accepts every mail and prints it
    smtp_host.py --name dest-busy --greeting "421 4.3.1 Mail system full"
                                                         refuses every connection at the greeting

The same two roles as the demo hosts of ./run-james (the extension's test-jar ScriptedSmtpServer,
which listens on loopback only and so cannot serve other containers). Not a mail server: it keeps
nothing, and it answers just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for a relay.
"""
import argparse
import signal
import socketserver
import sys
import threading

PRINT_LOCK = threading.Lock()


def say(name, *lines):
    """Prints lines as one block, so that mails from parallel connections do not interleave."""
    with PRINT_LOCK:
        for line in lines:
            print("[%s] %s" % (name, line))
        sys.stdout.flush()


class Session(socketserver.StreamRequestHandler):
    """One SMTP connection."""

    def handle(self):
        options = self.server.options
        peer = self.client_address[0]
        self.reply(options.greeting)
        if not options.greeting.startswith("2"):
            # A refused greeting ends the session, as a 421 must.
            say(options.name, "connection from %s refused with: %s" % (peer, options.greeting))
            return
        self.sender, self.recipients = None, []
        while True:
            line = self.read_line()
            if line is None:
                return
            if not self.command(line, options):
                return

    def command(self, line, options):
        """Answers one command; returns False when the session is over."""
        verb = line.split(" ", 1)[0].upper()
        argument = line[len(verb):].strip()
        if verb == "EHLO":
            self.reply("250-%s" % options.name, "250-8BITMIME", "250 SIZE 52428800")
        elif verb == "HELO":
            self.reply("250 %s" % options.name)
        elif verb == "MAIL":
            self.sender, self.recipients = address(argument), []
            self.reply("250 2.1.0 Ok")
        elif verb == "RCPT":
            if self.sender is None:
                self.reply("503 5.5.1 MAIL first")
            else:
                self.recipients.append(address(argument))
                self.reply("250 2.1.5 Ok")
        elif verb == "DATA":
            return self.data(options)
        elif verb == "RSET":
            self.sender, self.recipients = None, []
            self.reply("250 2.0.0 Ok")
        elif verb == "NOOP":
            self.reply("250 2.0.0 Ok")
        elif verb == "QUIT":
            self.reply("221 2.0.0 Bye")
            return False
        else:
            self.reply("502 5.5.2 Command not implemented")
        return True

    def data(self, options):
        if not self.recipients:
            self.reply("503 5.5.1 RCPT first")
            return True
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        content = []
        while True:
            line = self.read_line()
            if line is None:
                return False
            if line == ".":
                break
            content.append(line[1:] if line.startswith("..") else line)
        say(options.name,
            "received a mail from=<%s> to=%s:" % (self.sender, self.recipients),
            *("| " + line for line in content))
        self.sender, self.recipients = None, []
        self.reply("250 2.0.0 Ok: queued")
        return True

    def read_line(self):
        raw = self.rfile.readline()
        if not raw:
            return None
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    def reply(self, *lines):
        self.wfile.write("".join(line + "\r\n" for line in lines).encode("utf-8"))
        self.wfile.flush()


def address(argument):
    """The address in "FROM:<a@b> SIZE=1" or "TO:<a@b>"."""
    start, end = argument.find("<"), argument.find(">")
    return argument[start + 1:end] if 0 <= start < end else argument.partition(":")[2].strip()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description="Demo SMTP destination host")
    parser.add_argument("--name", default="smtp-host")
    parser.add_argument("--greeting", help='the greeting; not 2xx refuses, e.g. "421 4.3.1 Mail system full"')
    parser.add_argument("--bind", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=25)
    options = parser.parse_args()
    options.greeting = options.greeting or "220 %s ESMTP demo host" % options.name
    # As PID 1 in a container, SIGTERM is ignored unless handled: stop at once on docker stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with Server((options.bind, options.port), Session) as server:
        server.options = options
        say(options.name, "listening on %s:%d, greeting: %s" % (options.bind, options.port, options.greeting))
        server.serve_forever()


if __name__ == "__main__":
    main()
