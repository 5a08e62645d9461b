package io.statusstream.spring;

import org.springframework.core.io.Resource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A strong {@code ETag} per static resource: a hash of its content, computed once per resource and modification time
 * (a resource on the file system, as in development, gets a new tag when it changes). Thread-safe.
 */
final class ContentEtags implements Function<Resource, String> {

    private final Map<String, String> etags = new ConcurrentHashMap<>();

    @Override
    public String apply(Resource resource) {
        try {
            String version = resource.getURL() + "@" + resource.lastModified();
            return etags.computeIfAbsent(version, ignored -> hash(resource));
        } catch (IOException unreadable) {
            return null;
        }
    }

    private static String hash(Resource resource) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(resource.getContentAsByteArray());
            return "\"" + HexFormat.of().formatHex(Arrays.copyOf(digest, 16)) + "\"";
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform has SHA-256", impossible);
        }
    }
}
