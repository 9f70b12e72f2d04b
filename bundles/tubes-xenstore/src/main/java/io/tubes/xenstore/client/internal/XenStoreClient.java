package io.tubes.xenstore.client.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.TransactionBody;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.WatchListener;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreTransaction;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.wire.XsHeader;
import io.tubes.xenstore.wire.XsMessageType;
import io.tubes.xenstore.wire.XsPayload;

/**
 * A {@link XenStoreConnection}: Xen's wire protocol over one connection. Callers on any thread send
 * requests with their own request ids; one reader thread matches replies to them and hands watch
 * events to an event thread, so a slow listener never stalls replies. When the connection drops,
 * calls in flight fail, and the reader reconnects with backoff and sets every watch again.
 */
public final class XenStoreClient implements XenStoreConnection
{
    private static final Logger LOG = System.getLogger("io.tubes.xenstore");
    private static final long MAX_RECONNECT_DELAY_MS = 2_000;

    /** A registered watch: its path, token and listener, kept to set it again after a reconnect. */
    private final class Registration implements Watch
    {
        private final String path;
        private final String token;
        private final WatchListener listener;

        Registration(final String path, final String token, final WatchListener listener)
        {
            this.path = path;
            this.token = token;
            this.listener = listener;
        }

        @Override
        public String path()
        {
            return path;
        }

        @Override
        public String token()
        {
            return token;
        }

        @Override
        public void close()
        {
            if (watches.remove(token) == null)
            {
                return;
            }
            try
            {
                call(XsMessageType.UNWATCH, 0, XsPayload.strings(path, token), "unwatch " + path);
            }
            catch (final XenStoreException e)
            {
                // The watch is gone from our side either way; xenstored drops it with the connection.
                LOG.log(Level.DEBUG, "unwatch {0}: {1}", path, e.getMessage());
            }
        }
    }

    private final XenStoreAddress address;
    private final long requestTimeoutMs;
    private final int transactionAttempts;
    private final NodeOperations direct = new NodeOperations(this, 0);
    private final Map<Integer, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final Map<String, Registration> watches = new ConcurrentHashMap<>();
    private final AtomicInteger nextRequestId = new AtomicInteger();
    private final AtomicInteger nextToken = new AtomicInteger();
    private final Object writeLock = new Object();
    private final ExecutorService events;
    private final Thread reader;
    private volatile Transport transport;
    private volatile String disconnectedBecause;
    private volatile boolean closed;

    /** A reply: its type (the request's, or ERROR) and payload. */
    private record Reply(XsMessageType type, byte[] payload)
    {
    }

    private XenStoreClient(final XenStoreAddress address, final long requestTimeoutMs, final int transactionAttempts)
        throws IOException
    {
        if (requestTimeoutMs <= 0 || transactionAttempts <= 0)
        {
            throw new IllegalArgumentException("request timeout and transaction attempts must be positive: timeout="
                + requestTimeoutMs + " attempts=" + transactionAttempts);
        }
        this.address = address;
        this.requestTimeoutMs = requestTimeoutMs;
        this.transactionAttempts = transactionAttempts;
        try
        {
            this.transport = Transport.open(address);
        }
        catch (final IOException e)
        {
            throw new XenStoreException("cannot connect to xenstored at " + address + ": " + e.getMessage()
                + " (is xenstored running? XENSTORED_PATH or the configured path choose where to look)", e);
        }
        this.events = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "xenstore events [" + address.path() + "]");
            thread.setDaemon(true);
            return thread;
        });
        this.reader = new Thread(this::readLoop, "xenstore reader [" + address.path() + "]");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to xenstored at {@code address} with a 30 s request timeout and 20 transaction attempts. */
    public static XenStoreClient connect(final XenStoreAddress address) throws IOException
    {
        return new XenStoreClient(address, 30_000, 20);
    }

    /** Connects with the given request timeout (ms) and transaction attempts. */
    public static XenStoreClient connect(final XenStoreAddress address, final long requestTimeoutMs,
        final int transactionAttempts) throws IOException
    {
        return new XenStoreClient(address, requestTimeoutMs, transactionAttempts);
    }

    @Override
    public String address()
    {
        return address.toString();
    }

    /** Whether the connection is up (it is re-established by itself after a drop). */
    public boolean isConnected()
    {
        return disconnectedBecause == null && !closed;
    }

    @Override
    public byte[] read(final String path) throws XenStoreException
    {
        return direct.read(path);
    }

    @Override
    public void write(final String path, final byte[] value) throws XenStoreException
    {
        direct.write(path, value);
    }

    @Override
    public void mkdir(final String path) throws XenStoreException
    {
        direct.mkdir(path);
    }

    @Override
    public void rm(final String path) throws XenStoreException
    {
        direct.rm(path);
    }

    @Override
    public List<String> directory(final String path) throws XenStoreException
    {
        return direct.directory(path);
    }

    @Override
    public List<Permission> getPermissions(final String path) throws XenStoreException
    {
        return direct.getPermissions(path);
    }

    @Override
    public void setPermissions(final String path, final List<Permission> permissions) throws XenStoreException
    {
        direct.setPermissions(path, permissions);
    }

    @Override
    public Watch watch(final String path, final WatchListener listener) throws XenStoreException
    {
        final Registration registration = new Registration(path, "tubes-" + nextToken.incrementAndGet(), listener);
        // Registered first: xenstored fires the new watch right after acknowledging it.
        watches.put(registration.token, registration);
        try
        {
            call(XsMessageType.WATCH, 0, XsPayload.strings(path, registration.token), "watch " + path);
        }
        catch (final XenStoreException e)
        {
            watches.remove(registration.token);
            throw e;
        }
        return registration;
    }

    @Override
    public <T> T transaction(final TransactionBody<T> body) throws XenStoreException
    {
        for (int attempt = 1;; attempt++)
        {
            final XenStoreTransaction transaction = startTransaction();
            final T result;
            try
            {
                result = body.run(transaction);
            }
            catch (final XenStoreException | RuntimeException e)
            {
                abortQuietly(transaction);
                throw e;
            }
            try
            {
                endTransaction(transaction, true);
                return result;
            }
            catch (final XenStoreException e)
            {
                if (!e.is(XenStoreError.EAGAIN))
                {
                    throw e;
                }
                if (attempt == transactionAttempts)
                {
                    throw new XenStoreException("transaction gave up after " + attempt
                        + " attempts: each commit conflicted with another change (EAGAIN); the data is contended"
                        + " or the attempt limit is too low");
                }
                backOff(attempt);
            }
        }
    }

    private void abortQuietly(final XenStoreTransaction transaction)
    {
        try
        {
            endTransaction(transaction, false);
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.DEBUG, "aborting transaction {0}: {1}", transaction.id(), e.getMessage());
        }
    }

    private static void backOff(final int attempt) throws XenStoreException
    {
        try
        {
            // Random spread so that racing clients stop colliding.
            Thread.sleep(ThreadLocalRandom.current().nextLong(1 + Math.min(50, 1L << Math.min(attempt, 6))));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new XenStoreException("interrupted while retrying a transaction", e);
        }
    }

    @Override
    public XenStoreTransaction startTransaction() throws XenStoreException
    {
        final byte[] reply = call(XsMessageType.TRANSACTION_START, 0, XsPayload.strings(""), "start a transaction");
        try
        {
            return new ClientTransaction(this, Integer.parseUnsignedInt(XsPayload.text(reply)));
        }
        catch (final NumberFormatException e)
        {
            throw new XenStoreException("start a transaction: xenstored sent an invalid id '"
                + XsPayload.text(reply) + "'", e);
        }
    }

    @Override
    public void endTransaction(final XenStoreTransaction transaction, final boolean commit) throws XenStoreException
    {
        call(XsMessageType.TRANSACTION_END, transaction.id(), XsPayload.strings(commit ? "T" : "F"),
            (commit ? "commit" : "abort") + " transaction " + transaction.id());
    }

    @Override
    public String getDomainPath(final int domid) throws XenStoreException
    {
        return XsPayload.text(call(XsMessageType.GET_DOMAIN_PATH, 0, XsPayload.strings(Integer.toString(domid)),
            "get the path of domain " + domid));
    }

    @Override
    public boolean isDomainIntroduced(final int domid) throws XenStoreException
    {
        return "T".equals(XsPayload.text(call(XsMessageType.IS_DOMAIN_INTRODUCED, 0,
            XsPayload.strings(Integer.toString(domid)), "ask whether domain " + domid + " is introduced")));
    }

    @Override
    public void resetWatches() throws XenStoreException
    {
        call(XsMessageType.RESET_WATCHES, 0, XsPayload.strings(""), "reset watches");
        watches.clear();
    }

    /**
     * Sends one request and waits for its reply.
     *
     * @param what the operation in words, for error messages ("read /local/domain/5/name")
     */
    byte[] call(final XsMessageType type, final int txId, final byte[] payload, final String what)
        throws XenStoreException
    {
        if (payload.length > XsHeader.PAYLOAD_MAX)
        {
            throw new XenStoreException(what + ": the request is " + payload.length
                + " bytes, over Xen's payload limit of " + XsHeader.PAYLOAD_MAX, XenStoreError.E2BIG);
        }
        final Transport current = connectedTransport(what);
        int reqId = nextRequestId.incrementAndGet();
        while (reqId == 0 || pending.containsKey(reqId))
        {
            reqId = nextRequestId.incrementAndGet();
        }
        final CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(reqId, reply);
        try
        {
            final ByteBuffer frame = ByteBuffer.allocate(XsHeader.SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
            XsHeader.write(frame, type.code(), reqId, txId, payload.length);
            frame.put(payload).flip();
            synchronized (writeLock)
            {
                current.writeFully(frame);
            }
            final Reply answer = reply.get(requestTimeoutMs, TimeUnit.MILLISECONDS);
            if (answer.type() == XsMessageType.ERROR)
            {
                final String name = XsPayload.text(answer.payload());
                throw new XenStoreException(what, XenStoreError.fromWireName(name).orElseThrow(
                    () -> new XenStoreException(what + ": xenstored sent an unknown error '" + name + "'")));
            }
            if (answer.type() != type)
            {
                throw new XenStoreException(what + ": xenstored answered " + answer.type() + " to " + type);
            }
            return answer.payload();
        }
        catch (final XenStoreException e)
        {
            throw e;
        }
        catch (final IOException e)
        {
            throw new XenStoreException(what + ": lost the connection to xenstored at " + address + ": "
                + e.getMessage(), e);
        }
        catch (final TimeoutException e)
        {
            throw new XenStoreException(what + ": no reply from xenstored at " + address + " within "
                + requestTimeoutMs + " ms", e);
        }
        catch (final ExecutionException e)
        {
            throw new XenStoreException(what + ": " + e.getCause().getMessage(), e.getCause());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new XenStoreException(what + ": interrupted while waiting for xenstored", e);
        }
        finally
        {
            pending.remove(reqId);
        }
    }

    private Transport connectedTransport(final String what) throws XenStoreException
    {
        if (closed)
        {
            throw new XenStoreException(what + ": the XenStore client for " + address + " is closed");
        }
        final String reason = disconnectedBecause;
        if (reason != null)
        {
            throw new XenStoreException(what + ": not connected to xenstored at " + address + " (" + reason
                + "); reconnecting");
        }
        return transport;
    }

    private void readLoop()
    {
        final ByteBuffer header = ByteBuffer.allocate(XsHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        while (!closed)
        {
            try
            {
                header.clear();
                transport.readFully(header);
                header.flip();
                final XsHeader frame = XsHeader.read(header);
                if (frame.length() > XsHeader.PAYLOAD_MAX)
                {
                    throw new IOException("xenstored sent a " + frame.length() + "-byte payload, over Xen's limit");
                }
                final ByteBuffer payload = ByteBuffer.allocate((int) frame.length());
                transport.readFully(payload);
                deliver(frame, payload.array());
            }
            catch (final IOException e)
            {
                if (closed)
                {
                    return;
                }
                disconnected(e);
                reconnect();
            }
        }
    }

    private void deliver(final XsHeader frame, final byte[] payload) throws IOException
    {
        final XsMessageType type = frame.messageType();
        if (type == XsMessageType.WATCH_EVENT)
        {
            final List<String> parts = XsPayload.split(payload, payload.length);
            if (parts.size() < 2)
            {
                throw new IOException("xenstored sent a malformed watch event");
            }
            final Registration registration = watches.get(parts.get(1));
            if (registration != null)
            {
                onEventThread(() -> notify(registration, parts.get(0)));
            }
            return;
        }
        final CompletableFuture<Reply> waiting = pending.get(frame.reqId());
        if (waiting == null || type == null)
        {
            LOG.log(Level.DEBUG, "dropping a reply nobody waits for: type {0} req_id {1}", frame.type(), frame.reqId());
            return;
        }
        waiting.complete(new Reply(type, payload));
    }

    private void onEventThread(final Runnable work)
    {
        try
        {
            events.execute(work);
        }
        catch (final RejectedExecutionException e)
        {
            LOG.log(Level.DEBUG, "client for {0} is closing; dropping a watch event", address);
        }
    }

    private void notify(final Registration registration, final String path)
    {
        if (!watches.containsKey(registration.token))
        {
            return; // closed meanwhile
        }
        try
        {
            registration.listener.changed(path);
        }
        catch (final RuntimeException e)
        {
            LOG.log(Level.WARNING, "watch listener for " + registration.path + " failed on " + path, e);
        }
    }

    private void disconnected(final IOException cause)
    {
        disconnectedBecause = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        LOG.log(Level.WARNING, "lost the connection to xenstored at {0}: {1}; reconnecting", address,
            disconnectedBecause);
        closeQuietly(transport);
        final XenStoreException failure = new XenStoreException("lost the connection to xenstored at " + address
            + ": " + disconnectedBecause, cause);
        for (final CompletableFuture<Reply> waiting : pending.values())
        {
            waiting.completeExceptionally(failure);
        }
    }

    /** Connects again, backing off up to {@link #MAX_RECONNECT_DELAY_MS} between tries, until connected or closed. */
    private void reconnect()
    {
        for (long delayMs = 50; !closed; delayMs = Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS))
        {
            try
            {
                Thread.sleep(delayMs);
                transport = Transport.open(address);
            }
            catch (final IOException e)
            {
                continue;
            }
            catch (final InterruptedException e)
            {
                return; // close() interrupts
            }
            disconnectedBecause = null;
            LOG.log(Level.INFO, "reconnected to xenstored at {0}; setting {1} watches again", address, watches.size());
            // Not on this thread: it must read the replies.
            onEventThread(this::rewatch);
            return;
        }
    }

    private void rewatch()
    {
        for (final Registration registration : watches.values())
        {
            try
            {
                call(XsMessageType.WATCH, 0, XsPayload.strings(registration.path, registration.token),
                    "watch " + registration.path);
            }
            catch (final XenStoreException e)
            {
                LOG.log(Level.WARNING, "cannot set the watch on {0} again: {1}", registration.path, e.getMessage());
            }
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeQuietly(transport);
        final XenStoreException failure = new XenStoreException("the XenStore client for " + address + " is closed");
        for (final CompletableFuture<Reply> waiting : pending.values())
        {
            waiting.completeExceptionally(failure);
        }
        events.shutdown();
        reader.interrupt();
    }

    private static void closeQuietly(final Transport transport)
    {
        try
        {
            transport.close();
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "closing the xenstore transport: {0}", e.getMessage());
        }
    }
}
