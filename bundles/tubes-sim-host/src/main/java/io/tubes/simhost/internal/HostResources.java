package io.tubes.simhost.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.tubes.sim.protocol.EventPage;
import io.tubes.sim.protocol.Futex;
import io.tubes.sim.protocol.HostLayout;

/**
 * The hypervisor part of the simulated host: grant tables and event channels of every domain.
 * Binding, sharing and mapping go through here, where Xen's rules are checked; notifications do not
 * (domains raise each other's event pages directly). Requests are text lines (see
 * {@link #handle(int, String[])}); every failure is an {@code error} line saying what and why.
 * One lock guards it all: these are control operations, not the data path.
 */
public final class HostResources
{
    private static final Logger LOG = System.getLogger("io.tubes.simhost");
    private static final int PAGE_SIZE = 4096;
    /** Xen reserves the first grant refs for the toolstack (console, xenstore). */
    private static final int FIRST_REF = 8;
    private static final int MAX_PAGES_PER_SHARE = 4096;

    /** A run of pages one domain shares with another, in one file. */
    private record Share(int owner, int firstRef, int count, int grantee, boolean writable, Path file,
        int notifyOffset, int notifyPort)
    {
    }

    /** Pages of a share mapped by its grantee. */
    private record Mapping(int id, int mapper, Share share, int firstPage, int count, int notifyOffset,
        int notifyPort)
    {
    }

    /** A bound event-channel port. */
    private record Port(int domid, int port, int handle)
    {
    }

    private final HostLayout layout;
    private final Futex futex;
    private final Map<Integer, Map<Integer, Share>> sharesByOwner = new HashMap<>();
    private final Map<Integer, Integer> nextRef = new HashMap<>();
    private final Map<Integer, Mapping> mappings = new HashMap<>();
    private final Map<Integer, EventPage> pages = new HashMap<>();
    private final Map<Integer, Integer> handleOwner = new HashMap<>();
    private final Map<Integer, Map<Integer, Port>> portsByDomain = new HashMap<>();
    private int nextMapping = 1;
    private int nextHandle = 1;

    public HostResources(final HostLayout layout, final Futex futex) throws IOException
    {
        this.layout = layout;
        this.futex = futex;
        final Path shm = layout.sharedMemoryDirectory();
        if (Files.isDirectory(shm))
        {
            LOG.log(Level.INFO, "removing the shared memory of an earlier host: {0}", shm);
            deleteTree(shm);
        }
        Files.createDirectories(shm);
    }

    /** Handles one request of domain {@code domid}; returns the reply line. */
    public synchronized String handle(final int domid, final String[] request)
    {
        try
        {
            switch (request[0])
            {
                case "grant":
                    return grant(domid, request);
                case "ungrant":
                    return ungrant(domid, number(request, 1));
                case "map":
                    return map(domid, request);
                case "unmap":
                    return unmap(domid, number(request, 1));
                case "evtchn-open":
                    return openHandle(domid);
                case "evtchn-close":
                    return closeHandle(domid, number(request, 1));
                case "bind-unbound":
                    return bindUnbound(domid, number(request, 1), number(request, 2));
                case "bind-interdomain":
                    return bindInterdomain(domid, number(request, 1), number(request, 2), number(request, 3));
                case "unbind":
                    return unbind(domid, number(request, 1), number(request, 2));
                case "counts":
                    final int[] counts = counts(domid);
                    return "ok " + counts[0] + " " + counts[1] + " " + counts[2];
                default:
                    return "error unknown request '" + request[0] + "'";
            }
        }
        catch (final RefusedException e)
        {
            return "error " + e.getMessage();
        }
        catch (final IOException e)
        {
            LOG.log(Level.WARNING, "domain " + domid + ": " + String.join(" ", request) + " failed", e);
            return "error " + String.join(" ", request) + " failed in the host: " + e.getMessage();
        }
    }

    /** What a domain holds: pages shared, pages mapped, ports bound. */
    public synchronized int[] counts(final int domid)
    {
        int grants = 0;
        for (final Share share : sharesByOwner.getOrDefault(domid, Map.of()).values())
        {
            grants += share.count();
        }
        int mapped = 0;
        for (final Mapping mapping : mappings.values())
        {
            mapped += mapping.mapper() == domid ? mapping.count() : 0;
        }
        return new int[] {grants, mapped, portsByDomain.getOrDefault(domid, Map.of()).size()};
    }

    /**
     * A domain is gone: its unmap notifications fire, its ports are unbound (peers see them gone),
     * its shares and mappings are revoked and its files removed. A notification's byte is zeroed
     * first and its port kicked last, once the ports are unbound: a peer woken by it sees the byte
     * zeroed and the port gone.
     */
    public synchronized void release(final int domid)
    {
        final List<Runnable> kicks = new ArrayList<>();
        for (final Share share : sharesByOwner.getOrDefault(domid, Map.of()).values())
        {
            unmapNotify(domid, share, 0, share.notifyOffset(), share.notifyPort(), kicks);
        }
        for (final Mapping mapping : mappings.values())
        {
            if (mapping.mapper() == domid)
            {
                unmapNotify(domid, mapping.share(), mapping.firstPage(), mapping.notifyOffset(), mapping.notifyPort(),
                    kicks);
            }
        }
        mappings.values().removeIf(mapping -> mapping.mapper() == domid);
        for (final Port port : new ArrayList<>(portsByDomain.getOrDefault(domid, Map.of()).values()))
        {
            unbindPort(port);
        }
        portsByDomain.remove(domid);
        kicks.forEach(Runnable::run);
        for (final Map.Entry<Integer, Integer> handle : new ArrayList<>(handleOwner.entrySet()))
        {
            if (handle.getValue() == domid)
            {
                removeHandle(handle.getKey());
            }
        }
        final Map<Integer, Share> shares = sharesByOwner.remove(domid);
        if (shares != null)
        {
            shares.values().forEach(share -> deleteQuietly(share.file()));
        }
        nextRef.remove(domid);
    }

    /** Stops: every file goes. */
    public synchronized void close()
    {
        try
        {
            deleteTree(layout.sharedMemoryDirectory());
        }
        catch (final IOException e)
        {
            LOG.log(Level.WARNING, "cannot remove " + layout.sharedMemoryDirectory() + ": " + e.getMessage());
        }
    }

    private String grant(final int domid, final String[] request) throws IOException
    {
        final int grantee = number(request, 1);
        final int count = number(request, 2);
        final boolean writable = "rw".equals(text(request, 3));
        final int notifyOffset = number(request, 4);
        final int notifyPort = number(request, 5);
        if (count < 1 || count > MAX_PAGES_PER_SHARE)
        {
            throw new RefusedException("a share has 1 to " + MAX_PAGES_PER_SHARE + " pages: count=" + count);
        }
        if (grantee == domid)
        {
            throw new RefusedException("domain " + domid + " cannot share pages with itself");
        }
        checkNotifyPort(domid, notifyPort);
        final int firstRef = nextRef.getOrDefault(domid, FIRST_REF);
        nextRef.put(domid, firstRef + count);
        final Path file = layout.sharedMemoryDirectory().resolve("grant-" + domid + "-" + firstRef);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel.truncate(0);
            channel.write(ByteBuffer.allocate(1), (long) count * PAGE_SIZE - 1); // sized, all zero
        }
        sharesByOwner.computeIfAbsent(domid, d -> new TreeMap<>()).put(firstRef,
            new Share(domid, firstRef, count, grantee, writable, file, notifyOffset, notifyPort));
        return "ok " + firstRef + " " + file;
    }

    private String ungrant(final int domid, final int firstRef)
    {
        final Share share = sharesByOwner.getOrDefault(domid, Map.of()).remove(firstRef);
        if (share == null)
        {
            throw new RefusedException("domain " + domid + " shares no pages at ref " + firstRef);
        }
        // The grantee's mapping keeps the memory until it unmaps, as on Xen; the refs are revoked now.
        deleteQuietly(share.file());
        return "ok";
    }

    private String map(final int domid, final String[] request)
    {
        final int granter = number(request, 1);
        final boolean writable = "rw".equals(text(request, 2));
        final int notifyOffset = number(request, 3);
        final int notifyPort = number(request, 4);
        final String[] refTexts = text(request, 5).split(",");
        final int firstRef = Integer.parseInt(refTexts[0]);
        checkNotifyPort(domid, notifyPort);
        Share share = null;
        for (final Share candidate : sharesByOwner.getOrDefault(granter, Map.of()).values())
        {
            if (firstRef >= candidate.firstRef() && firstRef < candidate.firstRef() + candidate.count())
            {
                share = candidate;
            }
        }
        if (share == null || share.grantee() != domid)
        {
            throw new RefusedException("domain " + granter + " has not granted ref " + firstRef + " to domain " + domid
                + (share == null ? " (no such ref, or it was revoked)" : ""));
        }
        for (int i = 1; i < refTexts.length; i++)
        {
            if (Integer.parseInt(refTexts[i]) != firstRef + i || firstRef + i >= share.firstRef() + share.count())
            {
                throw new RefusedException("the simulated host maps consecutive refs of one share; got "
                    + String.join(",", refTexts));
            }
        }
        if (writable && !share.writable())
        {
            throw new RefusedException("ref " + firstRef + " of domain " + granter + " is granted read-only");
        }
        final Mapping mapping = new Mapping(nextMapping++, domid, share, firstRef - share.firstRef(), refTexts.length,
            notifyOffset, notifyPort);
        mappings.put(mapping.id(), mapping);
        return "ok " + mapping.id() + " " + share.file() + " " + (long) mapping.firstPage() * PAGE_SIZE + " "
            + (long) mapping.count() * PAGE_SIZE;
    }

    private String unmap(final int domid, final int id)
    {
        final Mapping mapping = mappings.get(id);
        if (mapping == null || mapping.mapper() != domid)
        {
            throw new RefusedException("domain " + domid + " has no mapping " + id);
        }
        mappings.remove(id);
        return "ok";
    }

    private String openHandle(final int domid) throws IOException
    {
        final int handle = nextHandle++;
        pages.put(handle, EventPage.create(layout.eventPage(handle), domid, handle, futex));
        handleOwner.put(handle, domid);
        return "ok " + handle + " " + layout.eventPage(handle);
    }

    private String closeHandle(final int domid, final int handle)
    {
        ownedHandle(domid, handle);
        for (final Port port : new ArrayList<>(portsByDomain.getOrDefault(domid, Map.of()).values()))
        {
            if (port.handle() == handle)
            {
                unbindPort(port);
            }
        }
        removeHandle(handle);
        return "ok";
    }

    private String bindUnbound(final int domid, final int handle, final int remoteDomid)
    {
        final EventPage page = ownedHandle(domid, handle);
        final int port = allocatePort(domid, handle);
        page.setEntry(port, EventPage.UNBOUND, remoteDomid, 0, 0);
        return "ok " + port;
    }

    private String bindInterdomain(final int domid, final int handle, final int remoteDomid, final int remotePort)
    {
        final EventPage page = ownedHandle(domid, handle);
        final Port remote = portsByDomain.getOrDefault(remoteDomid, Map.of()).get(remotePort);
        final EventPage remotePage = remote == null ? null : pages.get(remote.handle());
        if (remotePage == null || remotePage.state(remotePort) != EventPage.UNBOUND
            || remotePage.remoteDomid(remotePort) != domid)
        {
            throw new RefusedException("port " + remotePort + " of domain " + remoteDomid
                + " is not an unbound port offered to domain " + domid);
        }
        final int port = allocatePort(domid, handle);
        page.setEntry(port, EventPage.CONNECTED, remoteDomid, remotePort, remote.handle());
        remotePage.setEntry(remotePort, EventPage.CONNECTED, domid, port, handle);
        return "ok " + port;
    }

    private String unbind(final int domid, final int handle, final int portNumber)
    {
        ownedHandle(domid, handle);
        final Port port = portsByDomain.getOrDefault(domid, Map.of()).get(portNumber);
        if (port == null || port.handle() != handle)
        {
            throw new RefusedException("port " + portNumber + " is not bound through handle " + handle
                + " of domain " + domid);
        }
        unbindPort(port);
        return "ok";
    }

    /** Frees a port; a connected peer sees its port's peer gone, and is woken to notice. */
    private void unbindPort(final Port port)
    {
        final EventPage page = pages.get(port.handle());
        if (page != null && page.state(port.port()) == EventPage.CONNECTED)
        {
            final EventPage peer = pages.get(page.remoteHandle(port.port()));
            final int peerPort = page.remotePort(port.port());
            if (peer != null && peer.state(peerPort) == EventPage.CONNECTED && peer.remotePort(peerPort) == port.port())
            {
                peer.setEntry(peerPort, EventPage.PEER_GONE, port.domid(), 0, 0); // the peer's peer: this port's domain
                peer.raise(peerPort);
            }
        }
        if (page != null)
        {
            page.setEntry(port.port(), EventPage.FREE, 0, 0, 0);
        }
        portsByDomain.getOrDefault(port.domid(), new HashMap<>()).remove(port.port());
    }

    private void removeHandle(final int handle)
    {
        pages.remove(handle);
        handleOwner.remove(handle);
        deleteQuietly(layout.eventPage(handle));
    }

    private int allocatePort(final int domid, final int handle)
    {
        final Map<Integer, Port> ports = portsByDomain.computeIfAbsent(domid, d -> new TreeMap<>());
        for (int port = 1; port < EventPage.MAX_PORTS; port++) // Xen never hands out port 0
        {
            if (!ports.containsKey(port))
            {
                ports.put(port, new Port(domid, port, handle));
                return port;
            }
        }
        throw new RefusedException("domain " + domid + " has all " + (EventPage.MAX_PORTS - 1) + " ports bound");
    }

    private EventPage ownedHandle(final int domid, final int handle)
    {
        if (handleOwner.getOrDefault(handle, -1) != domid)
        {
            throw new RefusedException("event-channel handle " + handle + " is not open in domain " + domid);
        }
        return pages.get(handle);
    }

    private void checkNotifyPort(final int domid, final int port)
    {
        if (port >= 0 && !portsByDomain.getOrDefault(domid, Map.of()).containsKey(port))
        {
            throw new RefusedException("unmap-notify port " + port + " is not bound in domain " + domid);
        }
    }

    /**
     * Xen's unmap notification for a domain that died holding pages: zeroes the byte now, and adds
     * the kick of the port's peer to {@code kicks}.
     */
    private void unmapNotify(final int domid, final Share share, final int firstPage, final int offset, final int port,
        final List<Runnable> kicks)
    {
        if (offset < 0)
        {
            return;
        }
        try (FileChannel channel = FileChannel.open(share.file(), StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(1), (long) firstPage * PAGE_SIZE + offset);
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "unmap notification of domain {0}: {1}", String.valueOf(domid), e.getMessage());
        }
        final Port bound = portsByDomain.getOrDefault(domid, Map.of()).get(port);
        final EventPage page = bound == null ? null : pages.get(bound.handle());
        if (page != null && page.state(port) == EventPage.CONNECTED)
        {
            final EventPage peer = pages.get(page.remoteHandle(port));
            final int peerPort = page.remotePort(port);
            if (peer != null)
            {
                kicks.add(() -> peer.raise(peerPort));
            }
        }
    }

    private static int number(final String[] request, final int index)
    {
        try
        {
            return Integer.parseInt(text(request, index));
        }
        catch (final NumberFormatException e)
        {
            throw new RefusedException("argument " + index + " of " + request[0] + " must be a number: '"
                + request[index] + "'");
        }
    }

    private static String text(final String[] request, final int index)
    {
        if (index >= request.length)
        {
            throw new RefusedException(request[0] + " needs more arguments");
        }
        return request[index];
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException e)
        {
            LOG.log(Level.WARNING, "cannot remove " + file + ": " + e.getMessage());
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var files = Files.walk(dir))
        {
            final Iterator<Path> deepestFirst = files.sorted((a, b) -> b.compareTo(a)).iterator();
            while (deepestFirst.hasNext())
            {
                Files.deleteIfExists(deepestFirst.next());
            }
        }
    }

    /** A request that breaks a rule; its message is the error line. */
    private static final class RefusedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        RefusedException(final String message)
        {
            super(message, null, false, false);
        }
    }
}
