package org.cartrelay.ops;

import java.nio.file.Path;

import org.cartrelay.support.GeneratedSecret;

/**
 * The admin password when none is configured: a {@link GeneratedSecret} in {@code <home>/data/admin-password},
 * readable and writable by its owner only, never logged.
 */
final class GeneratedPassword {

    static final String FILE_NAME = "admin-password";

    private GeneratedPassword() {}

    /** The password in {@code file}, or a new one written there (owner-only) when the file does not exist. */
    static String readOrCreate(Path file) {
        return GeneratedSecret.readOrCreate(file, 18, "admin password", "cartrelay.admin.password");
    }
}
