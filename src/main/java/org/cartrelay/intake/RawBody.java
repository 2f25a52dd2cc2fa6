package org.cartrelay.intake;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;

/** Reads a request body as bytes, refusing anything over the intake limit before it is buffered whole. */
final class RawBody {

    private RawBody() {
    }

    static byte[] read(HttpServletRequest request, long limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new PayloadTooLargeException(limit);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw new PayloadTooLargeException(limit);
            }
            return body;
        }
    }

    static final class PayloadTooLargeException extends RuntimeException {
        PayloadTooLargeException(long limit) {
            super("The body is larger than the intake limit of " + limit + " bytes (cartrelay.intake.max-body).");
        }
    }
}
