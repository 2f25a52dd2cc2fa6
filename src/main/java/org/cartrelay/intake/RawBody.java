package org.cartrelay.intake;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Reads a request body as bytes, refusing anything over the intake limit before it is buffered whole, and a body
 * with a NUL byte: neither JSON nor a form body may hold one, and the store keeps raw bodies as text.
 */
public final class RawBody {

    private RawBody() {}

    public static byte[] read(HttpServletRequest request, long limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new PayloadTooLargeException(limit);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw new PayloadTooLargeException(limit);
            }
            for (byte b : body) {
                if (b == 0) {
                    throw new NulByteException();
                }
            }
            return body;
        }
    }

    static final class PayloadTooLargeException extends RuntimeException {
        PayloadTooLargeException(long limit) {
            super("The body is larger than the intake limit of " + limit + " bytes (cartrelay.intake.max-body).");
        }
    }

    static final class NulByteException extends RuntimeException {
        NulByteException() {
            super("The body holds a NUL byte, which no JSON or form body may contain.", null, false, false);
        }
    }
}
