package org.cartrelay.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * An SMTP server on a free loopback port that speaks just enough SMTP for Jakarta Mail (no STARTTLS, no AUTH), and
 * whose replies a test scripts: the greeting of the n-th connection, and the reply to RCPT TO for the n-th time a
 * recipient was named. Every other command gets its usual positive reply. It records the commands it got and the
 * recipients of the messages it accepted, in order. A reply in the 421 class closes the connection, as RFC 5321
 * says.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    private static final int IDLE_MILLIS = 30_000;

    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> named = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile IntFunction<String> greeting = n -> "220 scripted.test ESMTP";
    private volatile BiFunction<String, Integer, String> rcpt = (recipient, nth) -> "250 2.1.5 OK";

    public ScriptedSmtpServer() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::accept, "scripted-smtp-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The greeting of the n-th connection (from 1), e.g. {@code 421 4.3.2 Service not available}. */
    public ScriptedSmtpServer greeting(IntFunction<String> script) {
        this.greeting = script;
        return this;
    }

    /** The reply to {@code RCPT TO:<recipient>} the n-th time (from 1) it names that recipient. */
    public ScriptedSmtpServer rcpt(BiFunction<String, Integer, String> script) {
        this.rcpt = script;
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The command lines received, in order, on every connection. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** The RCPT TO lines received for this recipient. */
    public List<String> rcptsTo(String recipient) {
        return commands.stream()
                .filter(c -> c.equalsIgnoreCase("RCPT TO:<" + recipient + ">"))
                .toList();
    }

    /** How many messages to this recipient ended with 250 after DATA. */
    public long messagesTo(String recipient) {
        return accepted.stream().filter(recipient::equalsIgnoreCase).count();
    }

    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                int nth = connections.incrementAndGet();
                Thread session = new Thread(() -> converse(socket, nth), "scripted-smtp-session-" + nth);
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void converse(Socket socket, int connection) {
        try (socket) {
            socket.setSoTimeout(IDLE_MILLIS);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            if (!reply(out, greeting.apply(connection))) {
                return;
            }
            List<String> recipients = new CopyOnWriteArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String verb = line.toUpperCase(Locale.ROOT);
                String answer;
                if (verb.startsWith("EHLO") || verb.startsWith("HELO")) {
                    answer = "250 scripted.test";
                } else if (verb.startsWith("MAIL FROM:")) {
                    recipients.clear();
                    answer = "250 2.1.0 OK";
                } else if (verb.startsWith("RCPT TO:")) {
                    String recipient = between(line, '<', '>');
                    int nth = named.computeIfAbsent(recipient.toLowerCase(Locale.ROOT), r -> new AtomicInteger())
                            .incrementAndGet();
                    answer = rcpt.apply(recipient, nth);
                    if (answer.startsWith("2")) {
                        recipients.add(recipient);
                    }
                } else if (verb.equals("DATA")) {
                    if (!reply(out, "354 End data with <CR><LF>.<CR><LF>")) {
                        return;
                    }
                    String data;
                    while ((data = in.readLine()) != null && !data.equals(".")) {
                        // the message itself is not kept
                    }
                    accepted.addAll(recipients);
                    recipients.clear();
                    answer = "250 2.0.0 queued";
                } else if (verb.equals("RSET")) {
                    recipients.clear();
                    answer = "250 2.0.0 OK";
                } else if (verb.equals("NOOP")) {
                    answer = "250 2.0.0 OK";
                } else if (verb.equals("QUIT")) {
                    reply(out, "221 2.0.0 Bye");
                    return;
                } else {
                    answer = "502 5.5.2 Command not recognized";
                }
                if (!reply(out, answer)) {
                    return;
                }
            }
        } catch (IOException ended) {
            // the client, an idle timeout or close() ended the connection
        } finally {
            open.remove(socket);
        }
    }

    /** Sends one reply line; false when it closes the connection (421). */
    private static boolean reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return !line.startsWith("421");
    }

    private static String between(String text, char open, char close) {
        int from = text.indexOf(open);
        int to = text.indexOf(close, from + 1);
        return from < 0 || to < 0 ? text.substring(text.indexOf(':') + 1).strip() : text.substring(from + 1, to);
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : open) {
                socket.close();
            }
            acceptor.join(5_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
