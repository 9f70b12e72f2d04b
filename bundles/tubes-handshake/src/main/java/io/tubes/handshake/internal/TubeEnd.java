package io.tubes.handshake.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeCounters;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeId;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubePaths;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeRole;
import io.tubes.tube.TubeState;
import io.tubes.tube.TubeWriter;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreException;

/**
 * One end of a tube, from its first node to its last: the role's opening steps ({@link NockEnd},
 * {@link TipEnd}), then what both ends do once connected: close, a peer's close, a peer's death.
 * Every step runs under the engine's lock, on a watch event ("something changed: read again"), a
 * timer or a user's call, and reads the peer's state afresh; none waits for the peer.
 */
abstract class TubeEnd implements Tube
{
    private static final Logger LOG = Logger.getLogger(TubeEnd.class.getName());

    final Engine engine;
    final XenStore xs;
    final TubePaths paths;
    final TubeRole role;
    final TubeId id;
    final TubeMode mode;
    final Duration closeTimeout;
    /** "peer domain 7 (beta)": how messages name the peer. */
    final String peerLabel;
    /** What this end last wrote in its state node. */
    TubeState state = TubeState.UNKNOWN;
    Rings rings;
    final CompletableFuture<Tube> connected = new CompletableFuture<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    /** Why the tube is closing, once it is. */
    String closing;
    /** Whether this end began the close (else the peer did). */
    private boolean closer;
    /** Whether the listener was told the tube connected, and that it left Connected. */
    private boolean announced;
    private boolean leaving;
    /** Whether the free began: the rings are stopped, and everything goes once the listener knows. */
    private boolean freeing;
    private ScheduledFuture<?> timer;
    /** Whether the engine watches the peer's nodes for this end. */
    boolean watching;
    private final AtomicReference<String> readerHolder = new AtomicReference<>();
    private final AtomicReference<String> writerHolder = new AtomicReference<>();
    // Kept by the holder of each side, read by anyone as statistics.
    long packetsSent;
    long bytesSent;
    long packetsReceived;
    long bytesReceived;

    TubeEnd(final Engine engine, final TubePaths paths, final TubeRole role, final TubeId id, final TubeMode mode,
        final Duration closeTimeout)
    {
        this.engine = engine;
        this.xs = engine.xs;
        this.paths = paths;
        this.role = role;
        this.id = id;
        this.mode = mode;
        this.closeTimeout = closeTimeout;
        this.peerLabel = "peer domain " + peer() + " (" + peerName() + ")";
    }

    /** The peer's directory, whose {@code state} this end watches. */
    final String peerDir()
    {
        return paths.dir(role.other());
    }

    /** This end's directory. */
    final String ownDir()
    {
        return paths.dir(role);
    }

    /** Something under the peer's nodes or this end's changed: read again and act. */
    abstract void changed() throws InterruptedException;

    /** The peer's state, read afresh: a node that is gone reads as Unknown. */
    final TubeState peerState() throws XenStoreException
    {
        return TubeState.ofNode(readIfThere(peerDir() + "/" + TubePaths.STATE).orElse(null));
    }

    /** A node of the tube, or empty when it is gone (see {@link Engine#readIfThere}). */
    final Optional<String> readIfThere(final String path) throws XenStoreException
    {
        return Engine.readIfThere(xs, path);
    }

    /**
     * Writes this end's state, unless its directory is gone: a node the peer or the toolstack removed
     * is never re-created.
     */
    final boolean writeState(final TubeState next) throws XenStoreException
    {
        final String node = ownDir() + "/" + TubePaths.STATE;
        final boolean written = xs.transaction(t ->
        {
            if (!t.exists(role == TubeRole.TIP ? ownDir() + "/" + TubeRole.NOCK.node() : ownDir()))
            {
                return false;
            }
            final boolean fresh = !t.exists(node);
            t.write(node, next.node());
            if (fresh && role == TubeRole.TIP)
            {
                Engine.setIfOwner(t, node, tipNodePermissions());
            }
            return true;
        });
        if (written)
        {
            state = next;
        }
        return written;
    }

    /**
     * The tip's nodes: its own, readable by the nock alone. Where the xenstored gives a new node its
     * parent's owner (oxenstored), the tip's nodes belong to the knock's owner and keep the pair's
     * permissions the knock has.
     */
    final List<Permission> tipNodePermissions()
    {
        return List.of(new Permission(paths.tip(), Permission.Access.NONE),
            new Permission(paths.nock(), Permission.Access.READ));
    }

    /** Runs {@code step} on the engine's thread after {@code after}, replacing the end's earlier timer. */
    final void schedule(final Duration after, final Step step)
    {
        cancelTimer();
        timer = engine.schedule(after, () ->
        {
            timer = null;
            step.run();
        });
    }

    final void cancelTimer()
    {
        if (timer != null)
        {
            timer.cancel(false);
            timer = null;
        }
    }

    /** A step of the handshake. */
    @FunctionalInterface
    interface Step
    {
        void run() throws InterruptedException;
    }

    /** The handshake reached Connected on this end: the tube is usable. */
    final void connectedNow() throws InterruptedException
    {
        cancelTimer();
        LOG.log(Level.INFO, "tube {0} connected as {1} with {2}: port {3}, rings of {4} bytes", new Object[] {id,
            role.node(), peerLabel, rings.port, rings.ringSize});
        connected.complete(this);
        announced = true;
        engine.announceConnected(this);
    }

    /** The tube leaves Connected: the listener hears it once, before anything is freed. */
    private void leave(final String reason) throws InterruptedException
    {
        if (announced && !leaving)
        {
            leaving = true;
            engine.announceDisconnected(this, reason);
        }
    }

    /** What both ends do once connected, when the peer's state changed (or may have). */
    final void connectedChanged(final TubeState peer) throws InterruptedException
    {
        if (closing != null && !closer)
        {
            return; // the peer closed: this end drains what it sent, whatever the peer does next
        }
        switch (peer)
        {
            case CLOSING -> {
                if (closer)
                {
                    confirm(); // both ends closed at once: each confirms the other's, then frees on its 6
                }
                else
                {
                    peerCloses(peerLabel + " closed the tube");
                }
            }
            case CLOSED -> {
                if (closer)
                {
                    free(closing); // the peer confirmed this end's close
                }
                else
                {
                    peerCloses(peerLabel + " closed the tube");
                }
            }
            // The peer's nodes vanished: the toolstack removed its domain (killed, destroyed), or it freed
            // its end without a close. An unprivileged domain cannot ask xenstored which; either way the
            // peer is gone, and its end of the rings with it.
            case UNKNOWN -> {
                if (!closer)
                {
                    engine.forgetName(peer());
                }
                free(closer ? closing : peerLabel + " is gone");
            }
            default -> {
                // Connected: nothing to do.
            }
        }
    }

    /** Writes Closed: this end confirms the peer's close. */
    private void confirm()
    {
        try
        {
            writeState(TubeState.CLOSED);
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.WARNING, "tube {0}: cannot confirm the close: {1}", new Object[] {id, e.getMessage()});
        }
    }

    /**
     * The peer closes: this end stops its outlet (what it sent stays readable to the peer, which may
     * already have let go) and confirms with Closed; the rings stay until everything the peer sent
     * was read, this end is closed, or the close timeout passes.
     */
    private void peerCloses(final String reason) throws InterruptedException
    {
        if (closing != null)
        {
            return;
        }
        closing = reason;
        LOG.log(Level.INFO, "tube {0}: {1}", new Object[] {id, reason});
        leave(reason);
        rings.closeOutlet(reason);
        confirm();
        if (rings.drained())
        {
            free(reason);
        }
        else
        {
            schedule(closeTimeout, () -> free(reason + "; what it sent and was not read in " + closeTimeout.toMillis()
                + " ms was dropped"));
        }
    }

    /** The reader reached the end of what the peer sent. */
    final void inputEnded() throws InterruptedException
    {
        if (closing != null && !closer)
        {
            free(closing);
        }
    }

    /** This end's user closes the tube. */
    final void closeByUser() throws InterruptedException
    {
        if (closed.isDone())
        {
            return;
        }
        if (closing != null)
        {
            free(closing); // the peer closed first; this end is done reading
            return;
        }
        closing = "closed by this side";
        closer = true;
        leave(closing);
        rings.closeOutlet(closing);
        try
        {
            if (writeState(TubeState.CLOSING))
            {
                schedule(closeTimeout, () -> free(closing + " (" + peerLabel + " did not confirm within "
                    + closeTimeout.toMillis() + " ms)"));
                changed(); // the peer may have gone already
                return;
            }
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.WARNING, "tube {0}: cannot write Closing: {1}", new Object[] {id, e.getMessage()});
        }
        free(closing);
    }

    /**
     * Frees everything the end holds, once: stops both sides of the rings with {@code reason} now
     * (a call in progress fails with it), tells the listener, and then frees the rings, the port, its
     * nodes (and the knock, on the nock); the tube is closed.
     */
    final void free(final String reason) throws InterruptedException
    {
        if (freeing)
        {
            return;
        }
        freeing = true;
        cancelTimer();
        if (rings != null)
        {
            rings.stop(reason);
        }
        leave(reason);
        engine.afterStep(() -> release(reason));
    }

    private void release(final String reason) throws InterruptedException
    {
        if (rings != null)
        {
            rings.free(reason);
        }
        removeNodes();
        engine.forget(this);
        if (connected.isDone())
        {
            LOG.log(Level.INFO, "tube {0} closed: {1}", new Object[] {id, reason});
        }
        connected.completeExceptionally(new TubeException(reason));
        closed.complete(reason);
    }

    /** Removes this end's nodes; each end removes the tip's directory (the nock created it, the tip wrote in it). */
    void removeNodes()
    {
        remove(paths.tipDir());
    }

    final void remove(final String path)
    {
        try
        {
            xs.rm(path);
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.FINE, "tube {0}: removing {1}: {2}", new Object[] {id, path, e.getMessage()});
        }
    }

    @Override
    public final TubeId id()
    {
        return id;
    }

    @Override
    public final TubePaths paths()
    {
        return paths;
    }

    @Override
    public final TubeRole role()
    {
        return role;
    }

    @Override
    public final TubeMode mode()
    {
        return mode;
    }

    @Override
    public final TubeState state()
    {
        synchronized (engine)
        {
            return closed.isDone() ? TubeState.CLOSED : state;
        }
    }

    @Override
    public final int ringSize()
    {
        return rings.ringSize;
    }

    @Override
    public final TubeCounters counters()
    {
        return new TubeCounters(packetsSent, bytesSent, packetsReceived, bytesReceived, rings.kicks(),
            rings.fullWaits(), rings.emptyWaits());
    }

    @Override
    public final CompletionStage<String> closed()
    {
        return closed.copy();
    }

    /** Whether the tube has closed and freed everything. */
    final boolean isClosed()
    {
        return closed.isDone();
    }

    @Override
    public final TubeReader reader() throws TubeException
    {
        take(readerHolder, "reader");
        return new EndReader(this);
    }

    @Override
    public final TubeWriter writer() throws TubeException
    {
        take(writerHolder, "writer");
        return new EndWriter(this);
    }

    private void take(final AtomicReference<String> holder, final String side) throws TubeException
    {
        if (closed.isDone())
        {
            throw new TubeException("tube " + id + " is closed: " + closed.join());
        }
        final String taker = "thread '" + Thread.currentThread().getName() + "'";
        if (!holder.compareAndSet(null, taker))
        {
            throw new TubeException("the " + side + " of tube " + id + " is held by " + holder.get()
                + "; it must let go (close what it took) first");
        }
    }

    final void letGoOfReader()
    {
        readerHolder.set(null);
    }

    final void letGoOfWriter()
    {
        writerHolder.set(null);
    }

    /** Closes the tube and waits until it is freed; called from a listener of the engine, it does not wait. */
    @Override
    public final void close()
    {
        try
        {
            engine.run(this::closeByUser);
            if (Thread.holdsLock(engine))
            {
                return; // the free comes after the step this caller is part of
            }
            closed.get(closeTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Exception e)
        {
            LOG.log(Level.WARNING, "tube {0}: the close did not finish: {1}", new Object[] {id, e.toString()});
        }
    }

    @Override
    public final String toString()
    {
        return "tube " + id + " (" + role.node() + ", " + mode.node() + ", " + paths.dir(role) + ")";
    }
}
