package dev.eventstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP forwarder to PostgreSQL that can lose an acknowledgement: once armed with
 * {@link #dropAfterResponses(int) dropAfterResponses(n)}, it forwards the server's next {@code n}
 * complete responses (each ends with a ReadyForQuery message) and then, at the first byte of the
 * one after, closes the connection without forwarding it. PostgreSQL sends a response when the
 * client's Sync has been processed, after the implicit transaction of an autocommit statement has
 * committed: the client sees a dropped connection for a write that is stored.
 *
 * <p>It tracks the server's message framing (a type byte and a four-byte length), so connections
 * must not negotiate TLS or GSS encryption ({@code sslmode=disable&gssEncMode=disable}).
 */
final class LostAcknowledgementProxy implements AutoCloseable {

    private static final byte READY_FOR_QUERY = 'Z';

    private final ServerSocket listener;
    private final int serverPort;
    private final Thread acceptor;
    /** -1: not armed; n >= 0: forward n more complete responses, then drop. */
    private final AtomicInteger responsesBeforeDrop = new AtomicInteger(-1);
    private final AtomicInteger dropped = new AtomicInteger();

    LostAcknowledgementProxy(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "lost-ack-proxy");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/" + database + "?sslmode=disable&gssEncMode=disable";
    }

    /** Arms the proxy for the next connection that receives a response. */
    void dropAfterResponses(int responses) {
        responsesBeforeDrop.set(responses);
    }

    /** How many connections it has cut. */
    int dropped() {
        return dropped.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 10_000);
                start(() -> pump(client, server), "lost-ack-proxy-up");
                start(() -> serverToClient(server, client), "lost-ack-proxy-down");
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException closed) {
            // One side closed: both are closed by try-with-resources.
        }
    }

    /**
     * Forwards the server's bytes, message by message, counting ReadyForQuery messages while
     * armed. The server's first message is Authentication (typed), so framing holds from the start.
     */
    private void serverToClient(Socket server, Socket client) {
        try (server; client) {
            InputStream in = server.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] header = new byte[5];
            byte[] body = new byte[8192];
            while (true) {
                if (!readFully(in, header, 5)) {
                    return;
                }
                int armed = responsesBeforeDrop.get();
                if (armed == 0 && responsesBeforeDrop.compareAndSet(0, -1)) {
                    dropped.incrementAndGet();
                    return; // the first byte of the response to lose: close both sides
                }
                int length = ((header[1] & 0xff) << 24) | ((header[2] & 0xff) << 16) | ((header[3] & 0xff) << 8)
                        | (header[4] & 0xff);
                out.write(header, 0, 5);
                int remaining = length - 4;
                while (remaining > 0) {
                    int n = in.read(body, 0, Math.min(body.length, remaining));
                    if (n < 0) {
                        return;
                    }
                    out.write(body, 0, n);
                    remaining -= n;
                }
                out.flush();
                if (header[0] == READY_FOR_QUERY && armed > 0) {
                    responsesBeforeDrop.compareAndSet(armed, armed - 1);
                }
            }
        } catch (IOException closed) {
            // One side closed.
        }
    }

    private static boolean readFully(InputStream in, byte[] buffer, int length) throws IOException {
        int read = 0;
        while (read < length) {
            int n = in.read(buffer, read, length - read);
            if (n < 0) {
                return false;
            }
            read += n;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
