package io.tubes.handshake.internal;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.tubes.tube.AcceptOptions;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeId;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubePaths;
import io.tubes.tube.TubeRole;
import io.tubes.tube.TubeState;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreTransaction;

/**
 * The end that accepts a knock (domain B, from A, index T), step by step as the seed says: it
 * watches A's state and writes 1; allocates and grants both rings and binds an unbound port; writes
 * the two refs, the port and 3 in one transaction (retried on a conflict without allocating again);
 * on A's 4 it writes 4. The nock's open timeout bounds the wait; this end's own is the accept's.
 */
final class TipEnd extends TubeEnd
{
    private static final Logger LOG = Logger.getLogger(TipEnd.class.getName());
    private final AcceptOptions options;

    TipEnd(final Engine engine, final TubePaths paths, final TubeId id, final TubeMode mode,
        final AcceptOptions options)
    {
        super(engine, paths, TubeRole.TIP, id, mode, options.closeTimeout());
        this.options = options;
    }

    void start() throws TubeException, InterruptedException
    {
        try
        {
            engine.watchPeer(this);
            if (!takeKnock())
            {
                throw new TubeException(peerLabel + " withdrew the knock at " + paths.tipDir());
            }
            rings = Rings.share(engine.driver, paths.nock(), mode, options.ringSize());
            if (!offer())
            {
                throw new TubeException(peerLabel + " withdrew the knock at " + paths.tipDir());
            }
        }
        catch (final XenStoreException e)
        {
            final String reason = Engine.refused("cannot answer the knock at " + paths.tipDir(), e);
            free(reason);
            throw new TubeException(reason, e);
        }
        catch (final TubeException e)
        {
            free(e.getMessage());
            throw e;
        }
        schedule(options.timeout(), () ->
        {
            if (state == TubeState.INITIALISED)
            {
                free(peerLabel + " did not connect tube " + id + " within " + options.timeout().toMillis() + " ms");
            }
        });
        changed();
    }

    /**
     * Takes the knock, in one transaction: makes its nodes the pair's where this end owns them
     * (oxenstored gives a new node its parent's owner: this domain, for the nodes the nock created in
     * its {@code data/tip}), and writes state 1. False when the knock is gone.
     */
    private boolean takeKnock() throws XenStoreException
    {
        final List<Permission> pair = List.of(new Permission(paths.tip(), Permission.Access.NONE),
            new Permission(paths.nock(), Permission.Access.BOTH));
        final String dir = paths.tipDir();
        final boolean taken = xs.transaction(t ->
        {
            if (!t.exists(dir + "/" + TubeRole.NOCK.node()))
            {
                return false;
            }
            Engine.setIfOwner(t, TubePaths.knocks(paths.tip()) + "/" + paths.nock(), pair);
            Engine.setIfOwner(t, dir, pair);
            Engine.setIfOwner(t, dir + "/" + TubeRole.NOCK.node(), pair);
            t.write(dir + "/" + TubePaths.STATE, TubeState.INITIALISING.node());
            Engine.setIfOwner(t, dir + "/" + TubePaths.STATE, tipNodePermissions());
            return true;
        });
        if (taken)
        {
            state = TubeState.INITIALISING;
        }
        return taken;
    }

    /** The refs, the port and state 3, in one transaction; false when the knock is gone. */
    private boolean offer() throws XenStoreException
    {
        final String dir = paths.tipDir();
        final List<Permission> mine = tipNodePermissions();
        final boolean offered = xs.transaction(t ->
        {
            if (!t.exists(dir + "/" + TubeRole.NOCK.node()))
            {
                return false;
            }
            write(t, dir + "/" + TubePaths.TX_RING_REF, Integer.toString(rings.txRef), mine);
            write(t, dir + "/" + TubePaths.RX_RING_REF, Integer.toString(rings.rxRef), mine);
            write(t, dir + "/" + TubePaths.EVENT_CHANNEL, Integer.toString(rings.port), mine);
            t.write(dir + "/" + TubePaths.STATE, TubeState.INITIALISED.node());
            return true;
        });
        if (offered)
        {
            state = TubeState.INITIALISED;
        }
        return offered;
    }

    private static void write(final XenStoreTransaction t, final String node, final String value,
        final List<Permission> permissions) throws XenStoreException
    {
        t.write(node, value);
        Engine.setIfOwner(t, node, permissions);
    }

    @Override
    void changed() throws InterruptedException
    {
        if (isClosed())
        {
            return;
        }
        final TubeState nock;
        try
        {
            nock = readIfThere(paths.tipDir() + "/" + TubeRole.NOCK.node()).isEmpty() ? TubeState.UNKNOWN : peerState();
        }
        catch (final XenStoreException | IllegalArgumentException e)
        {
            free(peerLabel + " broke the handshake of tube " + id + ": " + e.getMessage());
            return;
        }
        if (state == TubeState.INITIALISED)
        {
            switch (nock)
            {
                case CONNECTED -> {
                    try
                    {
                        if (writeState(TubeState.CONNECTED))
                        {
                            connectedNow();
                            return;
                        }
                    }
                    catch (final XenStoreException e)
                    {
                        free(Engine.refused("cannot write Connected", e));
                        return;
                    }
                    free(peerLabel + " withdrew the knock at " + paths.tipDir());
                }
                case INIT_WAIT -> {
                    // The nock has not mapped the rings yet.
                }
                case CLOSING, CLOSED -> {
                    // The nock connected and closed before this end saw its 4: what it sent is in the ring.
                    connectedNow();
                    connectedChanged(nock);
                }
                default -> free(peerLabel + " gave up tube " + id + " before it connected (its state: " + nock + ")");
            }
            return;
        }
        connectedChanged(nock);
    }

    /**
     * Removes the knock this end answered, unless it is already another's: once the nock has freed
     * its end it may knock again at the same index at once, and that knock has no state yet.
     */
    @Override
    void removeNodes()
    {
        try
        {
            xs.transaction(t ->
            {
                if (t.exists(paths.tipDir() + "/" + TubePaths.STATE))
                {
                    t.rm(paths.tipDir());
                }
                return null;
            });
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.FINE, "tube {0}: removing {1}: {2}", new Object[] {id, paths.tipDir(), e.getMessage()});
        }
        engine.removeEmptyPeerDirs(paths.nock(), TubeRole.TIP);
    }
}
