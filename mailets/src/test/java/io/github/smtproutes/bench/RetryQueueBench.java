package io.github.smtproutes.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import javax.mail.internet.MimeMessage;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.file.FileMailRepository;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.filesystem.FileSystemImpl;

import io.github.smtproutes.retry.RetryQueue;

/**
 * Benchmark harness, not a test (run by hand, never by {@code mvn verify}): fills a real James
 * MemoryMailRepository and FileMailRepository with N waiting mails (default 100,000), few of them
 * due, and times what a scheduler tick costs: {@code RetryQueue.due(now, 100)}, which reads key
 * names only, and the route-flush scan {@code waitingNotDue}. It also times a FileMailRepository
 * reopened on the same directory (a James restart) and its first due().
 *
 * <pre>
 * cd mailets && mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) io.github.smtproutes.bench.RetryQueueBench 100000
 * </pre>
 */
public final class RetryQueueBench {
    private static final int DUE = 10;
    private static final int ROUNDS = 20;

    private RetryQueueBench() {
    }

    public static void main(String[] args) throws Exception {
        int waiting = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path workDir = Files.createTempDirectory("retry-bench");
        System.out.printf("waiting mails: %,d, due: %d, rounds: %d, work dir %s%n", waiting, DUE, ROUNDS, workDir);

        bench("memory://", new MemoryMailRepository(), waiting);

        FileSystemImpl fileSystem = new FileSystemImpl(new JamesServerResourceLoader(workDir.toString()));
        bench("file:// (CACHEKEYS=true)", fileRepository(fileSystem, true), waiting);

        long start = System.nanoTime();
        FileMailRepository reopened = fileRepository(fileSystem, true);
        System.out.printf("file:// reopened on the same directory (restart): init %.0f ms%n", millisSince(start));
        timeTicks("file:// after restart", new RetryQueue(reopened));
        timeTicks("file:// (CACHEKEYS=false, lists the directory)", new RetryQueue(fileRepository(fileSystem, false)));
    }

    private static void bench(String name, MailRepository repository, int waiting) throws Exception {
        RetryQueue queue = new RetryQueue(repository);
        Instant now = Instant.now();
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder().setSubject("bench").setText("body").build();
        long start = System.nanoTime();
        for (int i = 0; i < waiting; i++) {
            // DUE mails are due now, the rest in one to two hours.
            Instant due = i < DUE ? now.minusSeconds(1) : now.plusSeconds(3600 + i % 3600);
            String route = "route" + (i % 20) + ".test";
            MailImpl mail = MailImpl.builder().name("bench-" + i).sender("sender@senders.test")
                .addRecipient(new MailAddress("user" + i + "@" + route)).mimeMessage(message).build();
            queue.enqueue(mail, List.copyOf(mail.getRecipients()),
                new RetryQueue.Entry("bench-" + i, route, 1, now, due, "451 4.3.0 Try later", 451));
        }
        System.out.printf("%s: filled %,d in %.1f s%n", name, waiting, millisSince(start) / 1000);
        timeTicks(name, queue);
    }

    private static void timeTicks(String name, RetryQueue queue) throws Exception {
        Instant now = Instant.now();
        List<Double> dueMillis = new ArrayList<>();
        List<Double> flushMillis = new ArrayList<>();
        int found = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            List<MailKey> due = queue.due(now, 100);
            dueMillis.add(millisSince(start));
            found = due.size();
            start = System.nanoTime();
            queue.waitingNotDue("route7.test", now);
            flushMillis.add(millisSince(start));
        }
        System.out.printf("%s: due() found %d: %s; flush scan: %s%n", name, found, summary(dueMillis), summary(flushMillis));
    }

    private static FileMailRepository fileRepository(FileSystemImpl fileSystem, boolean cacheKeys) throws Exception {
        FileMailRepository repository = new FileMailRepository();
        repository.setFileSystem(fileSystem);
        BaseHierarchicalConfiguration configuration = new BaseHierarchicalConfiguration();
        configuration.addProperty("[@destinationURL]", "file://var/mail/smtp-routes/retry/");
        configuration.addProperty("[@FIFO]", false);
        configuration.addProperty("[@CACHEKEYS]", cacheKeys);
        repository.configure(configuration);
        repository.init();
        return repository;
    }

    private static String summary(List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        // The first rounds include JIT warm-up; the median is the steady tick cost.
        return String.format(Locale.ROOT, "first %.1f ms, median %.1f ms, max %.1f ms",
            millis.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000.0;
    }
}
