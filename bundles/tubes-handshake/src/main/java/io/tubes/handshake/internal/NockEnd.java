package io.tubes.handshake.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.tubes.tube.TubeException;
import io.tubes.tube.TubeId;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubePaths;
import io.tubes.tube.TubeRole;
import io.tubes.tube.TubeState;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;

/**
 * The end that opens a tube (domain A towards B, index T), step by step as the seed says: its
 * directory with {@code tip}, {@code mode} and state 2, then the knock in B's {@code data/tip}; on
 * the tip's state 3 it maps the tip's rings, connects to its port and writes 4. If the tip is not
 * at 3 within the open timeout, it removes what it wrote and the open fails.
 */
final class NockEnd extends TubeEnd
{
    private static final Duration KNOCK_RETRY = Duration.ofMillis(50);

    private final TubeOptions options;
    /** The highest state the tip reached, for the timeout's message (a knock the tip removed shows as 0). */
    private TubeState tipReached = TubeState.UNKNOWN;
    /** Whether the knock is there. */
    private boolean knocked;

    NockEnd(final Engine engine, final TubePaths paths, final TubeId id, final TubeOptions options)
    {
        super(engine, paths, TubeRole.NOCK, id, options.mode(), options.closeTimeout());
        this.options = options;
    }

    /** Writes this end's directory and the knock; the tip's answer comes as watch events. */
    void start() throws TubeException, InterruptedException
    {
        try
        {
            engine.watchPeer(this);
        }
        catch (final TubeException e)
        {
            engine.forget(this);
            throw e;
        }
        schedule(options.openTimeout(), this::timedOut);
        knockOrRetry();
    }

    /**
     * Writes this end's directory and knocks, in one transaction, or tries again shortly when this
     * domain may not write the knock: the peer may not take knocks yet (it is starting), and the
     * open timeout bounds the tries.
     */
    private void knockOrRetry() throws InterruptedException
    {
        if (isClosed() || knocked)
        {
            return;
        }
        try
        {
            knock();
            knocked = true;
            state = TubeState.INIT_WAIT;
            changed();
        }
        catch (final XenStoreException e)
        {
            if (e.is(XenStoreError.EACCES))
            {
                engine.schedule(KNOCK_RETRY, this::knockOrRetry);
            }
            else if (e.is(XenStoreError.EEXIST))
            {
                free("tube " + id + " is in use: " + paths.nockDir() + " exists; pick another index");
            }
            else
            {
                free(Engine.refused("cannot open tube " + id + " (" + paths.nockDir() + ", then the knock at "
                    + paths.tipDir() + ")", e));
            }
        }
    }

    /** Where this domain's knocks at the peer go: {@code /local/domain/B/data/tip/A}. */
    private String knockDir()
    {
        return TubePaths.knocks(paths.tip()) + "/" + paths.nock();
    }

    /**
     * This end's directory (the seed's first steps: {@code tip}, {@code mode}, state 2), then the
     * knock, in one transaction: nobody sees the knock before the directory that vouches for it, nor
     * can write in either before their permissions are set. Who owns the knock's nodes depends on the
     * xenstored: C xenstored gives them to their creator (this domain, which then makes them the
     * pair's), oxenstored to the owner of the parent (the tip, which then makes them the pair's as it
     * takes the knock).
     *
     * @throws XenStoreException {@code EACCES} when this domain may not write the knock (yet),
     *                           {@code EEXIST} when the directory is another tube's
     */
    private void knock() throws XenStoreException
    {
        final String nockDir = paths.nockDir();
        final List<Permission> pair = List.of(new Permission(paths.nock(), Permission.Access.NONE),
            new Permission(paths.tip(), Permission.Access.BOTH));
        xs.transaction(t ->
        {
            if (t.exists(nockDir))
            {
                throw new XenStoreException("create " + nockDir, XenStoreError.EEXIST);
            }
            // The tip watches the directory of all its tubes with this domain, and must be able to read it:
            // xenstored tells a watcher of a removed node only if it may read that node.
            final List<Permission> tipReads = List.of(new Permission(paths.nock(), Permission.Access.NONE),
                new Permission(paths.tip(), Permission.Access.READ));
            final String peerDir = nockDir.substring(0, nockDir.lastIndexOf('/'));
            if (!t.exists(peerDir))
            {
                t.mkdir(peerDir);
                t.setPermissions(peerDir, tipReads);
            }
            t.mkdir(nockDir);
            t.setPermissions(nockDir, tipReads);
            t.write(nockDir + "/" + TubeRole.TIP.node(), paths.tipDir());
            if (mode != TubeMode.PACKET)
            {
                t.write(nockDir + "/" + TubePaths.MODE, mode.node()); // no node is packet: one node less per tube
            }
            t.write(nockDir + "/" + TubePaths.STATE, TubeState.INIT_WAIT.node());
            t.mkdir(paths.tipDir());
            Engine.setIfOwner(t, knockDir(), pair);
            Engine.setIfOwner(t, paths.tipDir(), pair);
            t.write(paths.tipDir() + "/" + TubeRole.NOCK.node(), nockDir);
            return null;
        });
    }

    @Override
    void changed() throws InterruptedException
    {
        if (isClosed() || !knocked)
        {
            return;
        }
        final TubeState tip;
        try
        {
            if (state == TubeState.CONNECTED || state == TubeState.CLOSING || closing != null)
            {
                connectedChanged(peerState());
                return;
            }
            tip = peerState();
        }
        catch (final XenStoreException | IllegalArgumentException e)
        {
            free(peerLabel + " broke the handshake of tube " + id + ": " + e.getMessage());
            return;
        }
        if (tip.xenbus() > tipReached.xenbus())
        {
            tipReached = tip;
        }
        switch (tip)
        {
            case INITIALISED, CONNECTED -> connect();
            case CLOSING, CLOSED -> free(peerLabel + " refused tube " + id + error());
            default -> {
                // Unknown (not answered yet), Initialising: wait for the next change.
            }
        }
    }

    /** The tip is at 3: its refs and port are there; map, connect and write 4. */
    private void connect() throws InterruptedException
    {
        final String dir = paths.tipDir();
        try
        {
            final int txRef = Engine.number(xs.tryRead(dir + "/" + TubePaths.TX_RING_REF), TubePaths.TX_RING_REF);
            final int rxRef = Engine.number(xs.tryRead(dir + "/" + TubePaths.RX_RING_REF), TubePaths.RX_RING_REF);
            final int port = Engine.number(xs.tryRead(dir + "/" + TubePaths.EVENT_CHANNEL), TubePaths.EVENT_CHANNEL);
            rings = Rings.map(engine.driver, paths.tip(), txRef, rxRef, port, mode);
            if (!writeState(TubeState.CONNECTED))
            {
                free("the toolstack or " + peerLabel + " removed " + paths.nockDir() + " while the tube connected");
                return;
            }
        }
        catch (final TubeException | XenStoreException e)
        {
            free(peerLabel + " offered rings that cannot be used: " + e.getMessage());
            return;
        }
        connectedNow();
    }

    private void timedOut() throws InterruptedException
    {
        if (!knocked)
        {
            free(peerLabel + " did not take the knock for tube " + id + " within " + options.openTimeout().toMillis()
                + " ms: this domain may not write in " + knockDir() + " (the peer does not take knocks, or another"
                + " domain holds that directory)");
        }
        else if (state == TubeState.INIT_WAIT)
        {
            free(peerLabel + " did not accept tube " + id + " within " + options.openTimeout().toMillis() + " ms: "
                + paths.tipDir() + " reached state " + tipReached.xenbus() + " (" + tipReached + "), not "
                + TubeState.INITIALISED.xenbus() + " (" + TubeState.INITIALISED + ")" + error());
        }
    }

    /** What the tip wrote in its {@code error} node, if anything, for a message. */
    private String error()
    {
        try
        {
            final Optional<String> error = xs.tryRead(paths.tipDir() + "/" + TubePaths.ERROR);
            return error.map(text -> ": " + Engine.printable(text)).orElse("");
        }
        catch (final XenStoreException e)
        {
            return "";
        }
    }

    @Override
    void removeNodes()
    {
        if (!knocked)
        {
            return; // nothing of this end's was written: what is there is another tube's, or nobody's
        }
        remove(paths.nockDir());
        super.removeNodes();
        engine.removeEmptyPeerDirs(paths.tip(), TubeRole.NOCK);
    }
}
