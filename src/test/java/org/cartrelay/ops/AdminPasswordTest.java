package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Without {@code cartrelay.admin.password} the hub generates one into {@code <home>/data/admin-password}, readable by
 * its owner only, names that file in the log and never the password, and keeps it across restarts.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdminPasswordTest {

    private static int status(TestHub hub, String password) {
        String auth =
                "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        return TestHub.send(HttpRequest.newBuilder(hub.uri("/api/carts"))
                        .header("Authorization", auth)
                        .GET())
                .statusCode();
    }

    @Test
    void aGeneratedPasswordIsKeptInAnOwnerOnlyFileAndNeverLogged(CapturedOutput output) throws Exception {
        Path home = Files.createTempDirectory("cartrelay-home");
        Path file = home.resolve("data").resolve("admin-password");
        try (TestDatabase database = TestDatabase.create()) {
            String password;
            try (TestHub hub = TestHub.on(database).home(home).start()) {
                assertThat(file).isRegularFile();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                        .isEqualTo("rw-------");
                password = Files.readString(file).strip();
                assertThat(password).hasSizeGreaterThanOrEqualTo(20);
                assertThat(status(hub, password)).isEqualTo(200);
                assertThat(status(hub, password + "x")).isEqualTo(401);
            }
            try (TestHub restarted = TestHub.on(database).home(home).start()) {
                assertThat(Files.readString(file).strip()).isEqualTo(password);
                assertThat(status(restarted, password)).isEqualTo(200);
            }
            assertThat(output.getAll()).contains("is in " + file).doesNotContain(password);
        }
    }
}
