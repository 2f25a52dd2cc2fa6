package org.cartrelay.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import org.cartrelay.config.ConfigurationProblem;

/**
 * A secret the hub makes itself when none is configured (the admin password, the unsubscribe key): random,
 * generated once and kept in a file that only its owner may read or write, so it survives restarts and never appears
 * in a log.
 */
public final class GeneratedSecret {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private GeneratedSecret() {}

    /**
     * The secret in {@code file}, or a new one of {@code bytes} random bytes (base64url) written there (owner-only)
     * when the file does not exist. {@code what} and {@code property} name the secret and its setting in errors.
     */
    public static String readOrCreate(Path file, int bytes, String what, String property) {
        try {
            if (!Files.exists(file)) {
                create(file, bytes);
            }
            restrict(file);
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new ConfigurationProblem(
                        "The " + what + " file " + file + " is empty.",
                        "Delete the file to have a new one generated, or set " + property + ".");
            }
            return secret;
        } catch (IOException e) {
            throw new ConfigurationProblem(
                    "The " + what + " file " + file + " cannot be read or written (" + e.getMessage() + ").",
                    "Let the hub's user read and write " + file.getParent() + ", or set " + property + " instead.",
                    e);
        }
    }

    private static void create(Path file, int bytes) throws IOException {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path folder = Files.createDirectories(file.getParent());
        String prefix = file.getFileName().toString();
        // written whole under another name, owner-only from its creation, then given its name
        Path written = posix(folder)
                ? Files.createTempFile(folder, prefix, ".new", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(folder, prefix, ".new");
        try {
            Files.writeString(written, secret + "\n", StandardCharsets.UTF_8);
            Files.move(written, file);
        } catch (FileAlreadyExistsException raced) {
            // another instance on the same home wrote it first: that one holds
        } finally {
            Files.deleteIfExists(written);
        }
    }

    private static void restrict(Path file) throws IOException {
        if (posix(file)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } else {
            var io = file.toFile();
            io.setReadable(false, false);
            io.setWritable(false, false);
            io.setReadable(true, true);
            io.setWritable(true, true);
        }
    }

    private static boolean posix(Path path) throws IOException {
        return Files.getFileStore(path).supportsFileAttributeView("posix");
    }
}
