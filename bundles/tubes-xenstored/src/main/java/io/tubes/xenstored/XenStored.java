package io.tubes.xenstored;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import io.tubes.xenstored.internal.Server;

/**
 * A running xenstored speaking Xen 4.17's wire protocol, listening in a directory laid out as Xen
 * lays out its run directory: {@code socket} is dom0's privileged connection (Xen's
 * {@code /var/run/xenstored/socket}), and {@code domain/N} is domain N's connection while N is
 * introduced. Xen's own tools work against it: {@code XENSTORED_PATH=DIR/socket xenstore-ls}.
 */
public final class XenStored implements AutoCloseable
{
    private final Server server;

    private XenStored(final Server server)
    {
        this.server = server;
    }

    /**
     * Starts xenstored in {@code directory} (created if missing). Sockets left by a crashed run are
     * removed; a live xenstored already there is an error.
     */
    public static XenStored start(final Path directory) throws IOException
    {
        return new XenStored(Server.start(directory));
    }

    /** The directory it listens in. */
    public Path directory()
    {
        return server.directory();
    }

    /** dom0's privileged socket. */
    public Path dom0Socket()
    {
        return Server.dom0Socket(server.directory());
    }

    /** Domain {@code domid}'s socket; it exists while the domain is introduced. */
    public Path domainSocket(final int domid)
    {
        return Server.domainSocket(server.directory(), domid);
    }

    /** Introduces domain {@code domid}: its socket opens and {@code @introduceDomain} fires. */
    public void introduce(final int domid)
    {
        server.introduce(domid);
    }

    /**
     * Releases domain {@code domid}: its connections and socket close, the nodes it owns are
     * removed, and {@code @releaseDomain} fires.
     */
    public void release(final int domid)
    {
        server.release(domid);
    }

    /** The introduced domains, dom0 included. */
    public Set<Integer> domains()
    {
        return server.domains();
    }

    /** How many nodes the tree holds. */
    public int nodeCount()
    {
        return server.nodeCount();
    }

    /** How many nodes domain {@code domid} owns (its entry quota is 1000 unless it is dom0). */
    public int entries(final int domid)
    {
        return server.entries(domid);
    }

    /** How many client connections are open. */
    public int connectionCount()
    {
        return server.connectionCount();
    }

    /**
     * How many connections dom0's privileged socket has accepted since the start, closed ones
     * included: what shows that no domain ever spoke as dom0.
     */
    public int dom0ConnectionsAccepted()
    {
        return server.dom0ConnectionsAccepted();
    }

    /** Stops xenstored: every connection closes and the socket files are removed. */
    @Override
    public void close()
    {
        server.stop();
    }
}
