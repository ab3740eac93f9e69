package io.github.smtproutes.it;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.mail.MessagingException;

import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * A test mailet that stands for a storage failure on this side. It gives the mail a message
 * content source, as a mail repository does, whose stream fails the first time the message is
 * written to an SMTP server (as when a body file is briefly unreadable), and reads normally
 * otherwise, so that James's error processor can still keep the mail. Placed just before
 * SmtpRouteDelivery for one test domain.
 */
public final class UnreadableBodyOnce extends GenericMailet {
    static final String FAILURE = "cannot read the message body (test storage failure)";

    @Override
    public void service(Mail mail) throws MessagingException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        try {
            mail.getMessage().writeTo(content);
        } catch (IOException e) {
            throw new MessagingException("test mailet cannot copy the message", e);
        }
        ((MailImpl) mail).setMessageContent(new FailingOnceSource(mail.getName(), content.toByteArray()));
    }

    private static final class FailingOnceSource implements MimeMessageSource {
        private final String id;
        private final byte[] content;
        private final AtomicBoolean failed = new AtomicBoolean();

        FailingOnceSource(String id, byte[] content) {
            this.id = id;
            this.content = content;
        }

        @Override
        public String getSourceId() {
            return "unreadable-" + id;
        }

        @Override
        public InputStream getInputStream() {
            return new FilterInputStream(new ByteArrayInputStream(content)) {
                @Override
                public int read() throws IOException {
                    failIfSentBySmtp();
                    return super.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    failIfSentBySmtp();
                    return super.read(b, off, len);
                }
            };
        }

        @Override
        public long getMessageSize() {
            return content.length;
        }

        private void failIfSentBySmtp() throws IOException {
            if (!failed.get() && beingSentBySmtp() && failed.compareAndSet(false, true)) {
                throw new IOException(FAILURE);
            }
        }

        private static boolean beingSentBySmtp() {
            return Arrays.stream(Thread.currentThread().getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals("com.sun.mail.smtp.SMTPTransport")
                    && frame.getMethodName().equals("sendMessage"));
        }
    }
}
