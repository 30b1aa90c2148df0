package org.spineoutcomes.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The app's embedded HTTP server: the JDK's {@link HttpServer} (no extra dependency) serving one
 * {@link HttpRoutes} table with a small pool of daemon threads. Port 0 picks a free port;
 * {@link #port()} tells which.
 */
public final class SpineHttpServer implements AutoCloseable {
    /** Request threads; a handler that keeps a connection open (server-sent events) holds one. */
    public static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;

    private SpineHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds and starts; a port in use fails with a one-line {@link BindException} naming the address. */
    public static SpineHttpServer start(String bindAddress, int port, HttpRoutes routes) throws IOException {
        InetSocketAddress address = new InetSocketAddress(bindAddress, port);
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve the HTTP bind address " + bindAddress);
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (BindException e) {
            throw new BindException("cannot listen on " + bindAddress + ":" + port + ": " + e.getMessage());
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "spine-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", routes.dispatcher());
        server.start();
        return new SpineHttpServer(server, executor);
    }

    /** The port actually bound (the chosen one when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting, lets running exchanges finish for up to one second, stops the threads. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
