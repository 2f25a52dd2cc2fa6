package org.cartrelay.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The admin password when none is configured: random, generated once and kept in a file that only its owner may
 * read or write, so it survives restarts and never appears in a log.
 */
final class GeneratedPassword {

    static final String FILE_NAME = "admin-password";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private GeneratedPassword() {
    }

    /** The password in {@code file}, or a new one written there (owner-only) when the file does not exist. */
    static String readOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            restrict(file);
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (password.isEmpty()) {
                throw new IllegalStateException("The admin password file " + file + " is empty; delete it to have "
                        + "a new password generated, or set cartrelay.admin.password.");
            }
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("The admin password file " + file + " cannot be read or written ("
                    + e.getMessage() + "); set cartrelay.admin.password instead.", e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path folder = Files.createDirectories(file.getParent());
        // written whole under another name, owner-only from its creation, then given its name
        Path written = posix(folder)
                ? Files.createTempFile(folder, FILE_NAME, ".new", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(folder, FILE_NAME, ".new");
        try {
            Files.writeString(written, password + "\n", StandardCharsets.UTF_8);
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
