package io.tubes.simhost;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.tubes.sim.protocol.ControlChannel;
import io.tubes.sim.protocol.ControlProtocol;
import io.tubes.sim.protocol.DomainInfo;
import io.tubes.sim.protocol.Futex;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.internal.HostResources;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstore.wire.XsPaths;
import io.tubes.xenstored.XenStored;

/**
 * The simulated Xen host. It runs xenstored and acts as the toolstack: a process that joins on the
 * control socket becomes a domain with a fresh id, introduced to xenstored with
 * {@code /local/domain/N} ({@code name}, {@code domid}) owned by it; when that connection drops, by
 * exit, crash or kill -9, the host releases the domain ({@code @releaseDomain} fires, its nodes go).
 * Every domain may watch {@code @introduceDomain} and {@code @releaseDomain}, so peers learn of each
 * other's death.
 */
public final class SimHost implements AutoCloseable
{
    private static final Logger LOG = System.getLogger("io.tubes.simhost");

    private final HostLayout layout;
    private final XenStored xenstored;
    private final XenStoreConnection dom0;
    private final HostResources resources;
    private final ServerSocketChannel control;
    private final Map<Integer, DomainInfo> domains = new ConcurrentSkipListMap<>();
    private final List<SocketChannel> connections = new ArrayList<>();
    private final AtomicInteger nextDomid = new AtomicInteger(1);
    private final Thread acceptor;
    private volatile boolean running = true;

    private SimHost(final HostLayout layout) throws IOException
    {
        this.layout = layout;
        Files.createDirectories(layout.directory());
        try
        {
            // Refuses when a live host (hence a live xenstored) uses the directory; cleans after a dead one.
            this.xenstored = XenStored.start(layout.xenstoredDirectory());
        }
        catch (final IOException e)
        {
            throw new IOException("cannot start the simulated host at " + layout.directory() + ": " + e.getMessage()
                + " (choose another directory with --host-dir or TUBES_SIM_HOST)", e);
        }
        try
        {
            Files.deleteIfExists(layout.controlSocket());
            this.resources = new HostResources(layout, Futex.load());
            this.dom0 = XenStoreClients.connect(XenStoreAddress.of(xenstored.dom0Socket()));
            this.control = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            control.bind(UnixDomainSocketAddress.of(layout.controlSocket()));
            Files.setPosixFilePermissions(layout.controlSocket(), PosixFilePermissions.fromString("rw-------"));
        }
        catch (final IOException | UnsupportedOperationException | LinkageError e)
        {
            // LinkageError: JNA is missing or broken; the host cannot offer event channels without it.
            xenstored.close();
            throw new IOException("cannot start the simulated host at " + layout.directory() + ": " + e, e);
        }
        this.acceptor = new Thread(this::acceptLoop, "sim-host control [" + layout.controlSocket() + "]");
    }

    /** Starts a host in the layout's directory, cleaning what a crashed earlier host left there. */
    public static SimHost start(final HostLayout layout) throws IOException
    {
        final SimHost host = new SimHost(layout);
        host.acceptor.start();
        LOG.log(Level.INFO, "simulated host at {0}: domains join on {1}, dom0 XenStore on {2}", layout.directory(),
            layout.controlSocket(), layout.xenstoredSocket());
        return host;
    }

    public HostLayout layout()
    {
        return layout;
    }

    /** The domains that are joined now. */
    public List<DomainInfo> domains()
    {
        return List.copyOf(domains.values());
    }

    /** The status view: one line per domain. */
    public List<String> status()
    {
        final List<String> lines = new ArrayList<>();
        lines.add(String.format("host %s: %d domain(s); xenstored %s, dom0 connections accepted %d",
            layout.directory(), domains.size(), layout.xenstoredSocket(), xenstored.dom0ConnectionsAccepted()));
        for (final DomainInfo domain : domains.values())
        {
            final int[] held = resources.counts(domain.domid());
            lines.add(String.format("domain %d %s pid %d joined %s: nodes %d, grants %d, mappings %d, ports %d",
                domain.domid(), domain.name(), domain.pid(), domain.joined(), xenstored.entries(domain.domid()),
                held[0], held[1], held[2]));
        }
        return lines;
    }

    private void acceptLoop()
    {
        while (running)
        {
            try
            {
                final SocketChannel channel = control.accept();
                synchronized (connections)
                {
                    connections.add(channel);
                }
                final Thread serving = new Thread(() -> serve(channel), "sim-host control connection");
                serving.setDaemon(true);
                serving.start();
            }
            catch (final IOException e)
            {
                if (running)
                {
                    LOG.log(Level.ERROR, "the control socket " + layout.controlSocket() + " failed; no domain can join", e);
                }
                return;
            }
        }
    }

    /** Serves one control connection; a joined domain lives exactly as long as it. */
    private void serve(final SocketChannel channel)
    {
        DomainInfo joined = null;
        try (ControlChannel lines = new ControlChannel(channel))
        {
            while (running)
            {
                final String[] request = lines.readLine().trim().split(" ");
                if (ControlProtocol.JOIN.equals(request[0]) && joined == null)
                {
                    joined = join(request, lines);
                }
                else if (ControlProtocol.STATUS.equals(request[0]))
                {
                    for (final String line : status())
                    {
                        lines.writeLine(line);
                    }
                    lines.writeLine(ControlProtocol.END);
                }
                else if (ControlProtocol.DOMAINS.equals(request[0]))
                {
                    for (final DomainInfo domain : domains.values())
                    {
                        lines.writeLine(domain.domid() + " " + domain.name());
                    }
                    lines.writeLine(ControlProtocol.END);
                }
                else if (joined != null && !ControlProtocol.JOIN.equals(request[0]))
                {
                    lines.writeLine(resources.handle(joined.domid(), request));
                }
                else
                {
                    lines.writeLine(ControlProtocol.ERROR + " unexpected request '" + String.join(" ", request)
                        + "': a connection joins once ('join NAME PID'), then asks for what its domain needs");
                }
            }
        }
        catch (final IOException e)
        {
            LOG.log(Level.DEBUG, "control connection ended: {0}", e.getMessage());
        }
        finally
        {
            synchronized (connections)
            {
                connections.remove(channel);
            }
            if (joined != null)
            {
                release(joined, running ? "its process ended or closed its connection" : "the host is stopping");
            }
        }
    }

    private DomainInfo join(final String[] request, final ControlChannel lines) throws IOException
    {
        if (request.length != 3 || !ControlProtocol.DOMAIN_NAME.matcher(request[1]).matches()
            || !request[2].matches("[0-9]{1,10}"))
        {
            lines.writeLine(ControlProtocol.ERROR + " expected 'join NAME PID' with NAME matching "
                + ControlProtocol.DOMAIN_NAME.pattern());
            return null;
        }
        final String name = request[1];
        synchronized (domains)
        {
            for (final DomainInfo other : domains.values())
            {
                if (other.name().equals(name))
                {
                    lines.writeLine(ControlProtocol.ERROR + " the name '" + name + "' is taken by domain "
                        + other.domid() + "; domain names are unique on a host");
                    return null;
                }
            }
            final DomainInfo domain = new DomainInfo(nextDomid.getAndIncrement(), name,
                Long.parseLong(request[2]), Instant.now());
            try
            {
                introduce(domain);
            }
            catch (final XenStoreException e)
            {
                xenstored.release(domain.domid());
                lines.writeLine(ControlProtocol.ERROR + " cannot introduce domain " + domain.domid() + ": "
                    + e.getMessage());
                return null;
            }
            domains.put(domain.domid(), domain);
            lines.writeLine(ControlProtocol.OK + " " + domain.domid());
            LOG.log(Level.INFO, "domain {0} ({1}, pid {2}) joined", String.valueOf(domain.domid()), name,
                String.valueOf(domain.pid()));
            return domain;
        }
    }

    /** What Xen's toolstack does for a new domain: its home, owned by it, then the introduction. */
    private void introduce(final DomainInfo domain) throws XenStoreException
    {
        final int domid = domain.domid();
        final String home = XsPaths.domainPath(domid);
        xenstored.introduce(domid);
        dom0.mkdir(home);
        dom0.setPermissions(home, List.of(new Permission(domid, Permission.Access.NONE)));
        dom0.write(home + "/name", domain.name());
        dom0.write(home + "/domid", Integer.toString(domid));
        allowDomainEvents(domid);
    }

    /** Lets every joined domain, and {@code extra}, watch {@code @introduceDomain} and {@code @releaseDomain}. */
    private void allowDomainEvents(final int extra) throws XenStoreException
    {
        final List<Permission> readers = new ArrayList<>();
        readers.add(new Permission(0, Permission.Access.NONE));
        for (final int domid : domains.keySet())
        {
            readers.add(new Permission(domid, Permission.Access.READ));
        }
        if (extra > 0)
        {
            readers.add(new Permission(extra, Permission.Access.READ));
        }
        dom0.setPermissions(XsPaths.INTRODUCE_DOMAIN, readers);
        dom0.setPermissions(XsPaths.RELEASE_DOMAIN, readers);
    }

    private void release(final DomainInfo domain, final String why)
    {
        synchronized (domains)
        {
            if (domains.remove(domain.domid()) == null)
            {
                return;
            }
            resources.release(domain.domid());
            // xenstored removes what the domain owns, its home included, and fires @releaseDomain.
            xenstored.release(domain.domid());
        }
        LOG.log(Level.INFO, "domain {0} ({1}) released: {2}", String.valueOf(domain.domid()), domain.name(), why);
    }

    /** Stops the host: every domain is released, sockets are closed and removed. */
    @Override
    public void close()
    {
        if (!running)
        {
            return;
        }
        running = false;
        try
        {
            control.close();
            Files.deleteIfExists(layout.controlSocket());
        }
        catch (final IOException e)
        {
            LOG.log(Level.WARNING, "cannot remove the control socket " + layout.controlSocket() + ": " + e.getMessage());
        }
        synchronized (connections)
        {
            for (final SocketChannel channel : connections)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException e)
                {
                    LOG.log(Level.DEBUG, "closing a control connection: {0}", e.getMessage());
                }
            }
        }
        // Under the lock that releases take: a connection thread releasing its domain right now
        // finishes before xenstored goes, or finds its domain already released.
        synchronized (domains)
        {
            for (final DomainInfo domain : domains())
            {
                release(domain, "the host is stopping");
            }
            dom0.close();
            xenstored.close();
            resources.close();
        }
        LOG.log(Level.INFO, "simulated host at {0} stopped", layout.directory());
    }

}
