package io.github.smtproutes;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;

/**
 * What this James's {@code mailrepositorystore.xml} declares, checked before the mailet opens a
 * retry repository, so that a URL James cannot serve, or a shared store that would be unsafe, is
 * one clear start-up error rather than a failure deep in James's repository store.
 */
final class RepositoryTypes {
    private static final String FILE_REPOSITORY = "org.apache.james.mailrepository.file.FileMailRepository";

    private final MailRepositoryStoreConfiguration configuration;

    RepositoryTypes(MailRepositoryStoreConfiguration configuration) {
        this.configuration = configuration;
    }

    /** Empty when James declares the URL's protocol; else what is wrong, naming what it does declare. */
    Optional<String> undeclared(String url) {
        String protocol;
        try {
            protocol = MailRepositoryUrl.from(url).getProtocol().getValue();
        } catch (RuntimeException e) {
            return Optional.of("'" + url + "' is not a mail repository URL such as file://var/mail/smtp-routes/retry/ (" + e.getMessage() + ")");
        }
        List<String> declared = configuration.getItems().stream()
            .flatMap(item -> item.getProtocols().stream())
            .map(Protocol::getValue)
            .sorted()
            .collect(Collectors.toList());
        if (declared.contains(protocol)) {
            return Optional.empty();
        }
        return Optional.of("'" + url + "' uses protocol '" + protocol + "', which this James does not declare; declared in "
            + "mailrepositorystore.xml: " + String.join(", ", declared));
    }

    /**
     * Empty when several nodes can share a store at {@code url}. A {@code FileMailRepository} that
     * caches its keys ({@code CACHEKEYS="true"}, its default) never lists what another process
     * wrote, so a node would see neither the others' leases nor the mail it must adopt.
     */
    Optional<String> unsafeToShare(String url) {
        String protocol = MailRepositoryUrl.from(url).getProtocol().getValue();
        return configuration.getItems().stream()
            .filter(item -> item.getProtocols().stream().anyMatch(declared -> declared.getValue().equals(protocol)))
            .filter(item -> FILE_REPOSITORY.equals(item.getClassFqdn()))
            .filter(item -> item.getConfiguration().getBoolean("[@CACHEKEYS]", true))
            .findFirst()
            .map(item -> "retryNodeId with the " + protocol + ":// store '" + url + "' needs <config CACHEKEYS=\"false\"/> on "
                + "FileMailRepository in mailrepositorystore.xml: with its key cache a node never sees the leases and mail "
                + "that other nodes write");
    }
}
