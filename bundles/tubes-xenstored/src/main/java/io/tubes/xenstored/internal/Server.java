package io.tubes.xenstored.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import io.tubes.xenstore.wire.XsHeader;
import io.tubes.xenstore.wire.XsMessageType;
import io.tubes.xenstore.wire.XsPayload;

/**
 * The xenstored event loop: one thread, one selector, every socket non-blocking, like C xenstored.
 * {@code DIR/socket} is dom0's privileged connection; {@code DIR/domain/N} opens when domain N is
 * introduced and whatever connects there is domain N. A connection that breaks the framing is
 * closed; one that does not read its replies stops being read (its requests wait in the kernel),
 * and is closed if watch events pile up past a bound, so memory stays bounded whatever clients do.
 */
public final class Server implements Requests.Host, Runnable
{
    /** Above this many queued reply bytes a connection's further requests are not read. */
    static final int OUTPUT_SOFT_LIMIT = 64 * 1024;

    /** Above this many queued bytes (events keep coming) the connection is closed. */
    static final int OUTPUT_HARD_LIMIT = 1024 * 1024;

    private static final Logger LOG = System.getLogger("io.tubes.xenstored");

    private final Path directory;
    private final Selector selector;
    private final ServerSocketChannel dom0Listener;
    private final Map<Integer, ServerSocketChannel> domainListeners = new HashMap<>();
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Requests requests;
    private final Thread thread;
    private volatile boolean running = true;
    private int accepted;
    private int acceptedAsDom0;

    private Server(final Path directory) throws IOException
    {
        this.directory = directory;
        Files.createDirectories(directory.resolve("domain"));
        removeStaleSockets(directory);
        this.selector = Selector.open();
        this.dom0Listener = listen(dom0Socket(directory));
        dom0Listener.register(selector, SelectionKey.OP_ACCEPT, 0);
        this.requests = new Requests(this);
        this.thread = new Thread(this, "xenstored [" + directory + "]");
        thread.setDaemon(true); // its owner decides how long the process lives
    }

    /** Starts a server in {@code directory}, cleaning what a crashed earlier run left there. */
    public static Server start(final Path directory) throws IOException
    {
        final Server server = new Server(directory.toAbsolutePath());
        server.thread.start();
        LOG.log(Level.INFO, "xenstored listening on {0} (dom0)", dom0Socket(server.directory));
        return server;
    }

    /** dom0's socket in a server directory. */
    public static Path dom0Socket(final Path directory)
    {
        return directory.resolve("socket");
    }

    /** Domain {@code domid}'s socket in a server directory. */
    public static Path domainSocket(final Path directory, final int domid)
    {
        return directory.resolve("domain").resolve(Integer.toString(domid));
    }

    public Path directory()
    {
        return directory;
    }

    /** Introduces a domain as the toolstack would, opening its socket. */
    public void introduce(final int domid)
    {
        call(requests ->
        {
            requests.introduce(domid);
            return null;
        });
    }

    /** Releases a domain, as when it dies: its socket closes and {@code @releaseDomain} fires. */
    public void release(final int domid)
    {
        call(requests ->
        {
            requests.release(domid);
            return null;
        });
    }

    /** The introduced domains, dom0 included. */
    public Set<Integer> domains()
    {
        return call(Requests::domains);
    }

    /** Nodes in the tree. */
    public int nodeCount()
    {
        return call(Requests::nodeCount);
    }

    /** Nodes owned by a domain, as the entry quota counts them. */
    public int entries(final int domid)
    {
        return call(requests -> requests.entries(domid));
    }

    /** Open client connections. */
    public int connectionCount()
    {
        return call(requests -> connections.size());
    }

    /** Connections accepted on dom0's privileged socket since the start, closed ones included. */
    public int dom0ConnectionsAccepted()
    {
        return call(requests -> acceptedAsDom0);
    }

    /** Stops the loop, closes every socket and removes the socket files. */
    public void stop()
    {
        if (!running)
        {
            return;
        }
        running = false;
        selector.wakeup();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private <T> T call(final Function<Requests, T> work)
    {
        if (Thread.currentThread() == thread)
        {
            return work.apply(requests);
        }
        final CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() ->
        {
            try
            {
                result.complete(work.apply(requests));
            }
            catch (final RuntimeException e)
            {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        if (!running)
        {
            throw new IllegalStateException("xenstored at " + directory + " is stopped");
        }
        return result.join();
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                selector.select(1_000);
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll())
                {
                    task.run();
                }
                for (final SelectionKey key : selector.selectedKeys())
                {
                    handleKey(key);
                }
                selector.selectedKeys().clear();
            }
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.log(Level.ERROR, "xenstored at " + directory + " stopped on an unexpected error", e);
        }
        finally
        {
            shutdown();
        }
    }

    private void handleKey(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        if (key.isAcceptable())
        {
            accept((ServerSocketChannel) key.channel(), (Integer) key.attachment());
            return;
        }
        final Connection connection = (Connection) key.attachment();
        try
        {
            if (key.isWritable())
            {
                flush(connection);
            }
            if (key.isValid() && key.isReadable())
            {
                read(connection);
            }
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "connection {0} dropped: {1}", connection, e.getMessage());
            close(connection);
        }
    }

    private void accept(final ServerSocketChannel listener, final int domid)
    {
        try
        {
            for (SocketChannel channel = listener.accept(); channel != null; channel = listener.accept())
            {
                channel.configureBlocking(false);
                final Connection connection = new Connection(channel, requests.callerFor(domid, domid == 0),
                    "domain " + domid + " #" + ++accepted);
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                connections.add(connection);
                if (domid == 0)
                {
                    acceptedAsDom0++;
                }
                LOG.log(Level.DEBUG, "connection {0} opened", connection);
            }
        }
        catch (final IOException e)
        {
            // Out of file descriptors, typically: existing connections go on; the client sees a refusal.
            LOG.log(Level.WARNING, "cannot accept a connection for domain " + domid + ": " + e.getMessage());
        }
    }

    private void read(final Connection connection) throws IOException
    {
        while (!connection.closed && connection.outBytes < OUTPUT_SOFT_LIMIT)
        {
            if (connection.pending == null)
            {
                if (connection.channel.read(connection.header) < 0)
                {
                    throw new ClosedChannelException();
                }
                if (connection.header.hasRemaining())
                {
                    return;
                }
                connection.header.flip();
                final XsHeader header = XsHeader.read(connection.header);
                connection.header.clear();
                if (header.length() > XsHeader.PAYLOAD_MAX)
                {
                    LOG.log(Level.WARNING, "closing connection {0}: it sent a {1}-byte payload, over Xen''s limit of {2}",
                        connection, String.valueOf(header.length()), String.valueOf(XsHeader.PAYLOAD_MAX));
                    close(connection);
                    return;
                }
                connection.pending = header;
                connection.payload = ByteBuffer.allocate((int) header.length());
            }
            if (connection.payload.hasRemaining() && connection.channel.read(connection.payload) < 0)
            {
                throw new ClosedChannelException();
            }
            if (connection.payload.hasRemaining())
            {
                return;
            }
            final XsHeader header = connection.pending;
            final byte[] payload = connection.payload.array();
            connection.pending = null;
            connection.payload = null;
            requests.handle(connection, header, payload);
        }
        updateInterest(connection);
    }

    @Override
    public void reply(final Connection connection, final XsHeader request, final XsMessageType type,
        final byte[] payload)
    {
        if (payload.length > XsHeader.PAYLOAD_MAX)
        {
            reply(connection, request, XsMessageType.ERROR, XsPayload.strings("E2BIG"));
            return;
        }
        queue(connection, type.code(), request.reqId(), request.txId(), payload);
    }

    @Override
    public void event(final Connection connection, final String path, final String token)
    {
        final byte[] payload = XsPayload.strings(path, token);
        if (payload.length > XsHeader.PAYLOAD_MAX || connection.closed)
        {
            return;
        }
        if (connection.outBytes > OUTPUT_HARD_LIMIT)
        {
            LOG.log(Level.WARNING, "closing connection {0}: it has not read {1} bytes of replies and watch events",
                connection, String.valueOf(connection.outBytes));
            close(connection);
            return;
        }
        queue(connection, XsMessageType.WATCH_EVENT.code(), 0, 0, payload);
    }

    private void queue(final Connection connection, final int type, final int reqId, final int txId,
        final byte[] payload)
    {
        if (connection.closed)
        {
            return;
        }
        final ByteBuffer frame = ByteBuffer.allocate(XsHeader.SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        XsHeader.write(frame, type, reqId, txId, payload.length);
        frame.put(payload).flip();
        connection.out.add(frame);
        connection.outBytes += frame.remaining();
        try
        {
            flush(connection);
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "connection {0} dropped while writing: {1}", connection, e.getMessage());
            close(connection);
        }
    }

    private void flush(final Connection connection) throws IOException
    {
        while (!connection.out.isEmpty())
        {
            final ByteBuffer head = connection.out.peek();
            connection.outBytes -= connection.channel.write(head);
            if (head.hasRemaining())
            {
                break;
            }
            connection.out.poll();
        }
        updateInterest(connection);
    }

    private void updateInterest(final Connection connection)
    {
        if (connection.closed || !connection.key.isValid())
        {
            return;
        }
        final int wanted = (connection.outBytes < OUTPUT_SOFT_LIMIT ? SelectionKey.OP_READ : 0)
            | (connection.out.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (connection.key.interestOps() != wanted)
        {
            connection.key.interestOps(wanted);
        }
    }

    private void close(final Connection connection)
    {
        if (connection.closed)
        {
            return;
        }
        connection.closed = true;
        requests.removeWatches(connection);
        connection.transactions.clear();
        connection.out.clear();
        connections.remove(connection);
        connection.key.cancel();
        try
        {
            connection.channel.close();
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "closing connection {0}: {1}", connection, e.getMessage());
        }
    }

    @Override
    public Iterable<Connection> connections()
    {
        return List.copyOf(connections);
    }

    @Override
    public void domainIntroduced(final int domid)
    {
        final Path socket = domainSocket(directory, domid);
        try
        {
            Files.deleteIfExists(socket);
            final ServerSocketChannel listener = listen(socket);
            listener.register(selector, SelectionKey.OP_ACCEPT, domid);
            domainListeners.put(domid, listener);
            LOG.log(Level.INFO, "domain {0} introduced; its xenstored socket is {1}", String.valueOf(domid), socket);
        }
        catch (final IOException e)
        {
            LOG.log(Level.ERROR, "domain " + domid + " introduced, but its socket " + socket + " cannot open", e);
        }
    }

    @Override
    public void domainReleased(final int domid)
    {
        final ServerSocketChannel listener = domainListeners.remove(domid);
        if (listener != null)
        {
            closeListener(listener, domainSocket(directory, domid));
        }
        for (final Connection connection : new ArrayList<>(connections))
        {
            if (connection.caller.domid() == domid && connection.caller.unprivileged())
            {
                close(connection);
            }
        }
        LOG.log(Level.INFO, "domain {0} released", String.valueOf(domid));
    }

    private void shutdown()
    {
        for (final Connection connection : new ArrayList<>(connections))
        {
            close(connection);
        }
        for (final Map.Entry<Integer, ServerSocketChannel> entry : domainListeners.entrySet())
        {
            closeListener(entry.getValue(), domainSocket(directory, entry.getKey()));
        }
        domainListeners.clear();
        closeListener(dom0Listener, dom0Socket(directory));
        try
        {
            selector.close();
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "closing the selector: {0}", e.getMessage());
        }
        running = false;
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll())
        {
            task.run();
        }
        LOG.log(Level.INFO, "xenstored at {0} stopped", directory);
    }

    private static ServerSocketChannel listen(final Path socket) throws IOException
    {
        final ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket), 1024);
        listener.configureBlocking(false);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return listener;
    }

    private static void closeListener(final ServerSocketChannel listener, final Path socket)
    {
        try
        {
            listener.close();
            Files.deleteIfExists(socket);
        }
        catch (final IOException e)
        {
            LOG.log(Level.WARNING, "cannot remove socket " + socket + ": " + e.getMessage());
        }
    }

    /** Removes sockets of an earlier run, refusing if a live xenstored still answers on the dom0 socket. */
    private static void removeStaleSockets(final Path directory) throws IOException
    {
        final Path dom0 = dom0Socket(directory);
        if (Files.exists(dom0))
        {
            if (answers(dom0))
            {
                throw new IOException("another xenstored is already running at " + dom0
                    + "; stop it or choose another directory");
            }
            LOG.log(Level.INFO, "removing stale sockets of an earlier xenstored in {0}", directory);
            Files.delete(dom0);
        }
        try (var stale = Files.newDirectoryStream(directory.resolve("domain")))
        {
            for (final Path socket : stale)
            {
                Files.deleteIfExists(socket);
            }
        }
    }

    private static boolean answers(final Path socket)
    {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
        {
            return probe.isConnected();
        }
        catch (final IOException e)
        {
            return false;
        }
    }
}
