package io.tubes.driver.sim.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.sim.protocol.EventPage;
import io.tubes.sim.protocol.Futex;

/**
 * An event-channel handle on the simulated host. Binding goes through the host, which writes the
 * port table of the handle's event page; a notification goes straight to the peer: it sets the
 * peer port's pending bit in the peer's event page and wakes the peer's futex if it sleeps.
 */
final class SimEventChannels implements EventChannels
{
    private final SimDomain domain;
    private final Futex futex;
    private final int handle;
    private final EventPage page;
    private final Map<Integer, EventPage> peers = new ConcurrentHashMap<>();
    private final int[] masked = new int[EventPage.MAX_PORTS / 32];
    private volatile boolean closed;
    private volatile boolean woken;

    SimEventChannels(final SimDomain domain, final Futex futex) throws DriverException
    {
        this.domain = domain;
        this.futex = futex;
        final String[] reply = domain.request("evtchn-open");
        this.handle = Integer.parseInt(reply[0]);
        try
        {
            this.page = EventPage.open(Path.of(reply[1]), futex);
        }
        catch (final IOException e)
        {
            throw new DriverException("cannot map event page " + reply[1] + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int bindUnbound(final int remoteDomid) throws DriverException
    {
        return Integer.parseInt(domain.request("bind-unbound " + handle + " " + remoteDomid)[0]);
    }

    @Override
    public int bindInterdomain(final int remoteDomid, final int remotePort) throws DriverException
    {
        return Integer.parseInt(domain.request("bind-interdomain " + handle + " " + remoteDomid + " " + remotePort)[0]);
    }

    @Override
    public void notify(final int port) throws DriverException
    {
        checkPort(port);
        if (page.state(port) != EventPage.CONNECTED)
        {
            throw new DriverException("port " + port + " of domain " + domain.domid() + " is not connected to a peer"
                + (page.state(port) == EventPage.PEER_GONE ? " (its peer unbound it or died)" : ""));
        }
        final int remoteHandle = page.remoteHandle(port);
        final int remotePort = page.remotePort(port);
        EventPage peer = peers.get(remoteHandle);
        if (peer == null)
        {
            try
            {
                peer = EventPage.open(domain.layout().eventPage(remoteHandle), futex);
            }
            catch (final IOException e)
            {
                throw new DriverException("the peer of port " + port + " is gone: " + e.getMessage(), e);
            }
            peers.put(remoteHandle, peer);
        }
        peer.raise(remotePort);
    }

    @Override
    public void unbind(final int port) throws DriverException
    {
        domain.request("unbind " + handle + " " + port);
        unmask(port);
    }

    @Override
    public int pending(final long timeout, final TimeUnit unit) throws DriverException, InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true)
        {
            if (closed)
            {
                throw new DriverException("event-channel handle " + handle + " is closed");
            }
            final int seen = page.sequence();
            synchronized (masked)
            {
                final int port = page.takePending(masked);
                if (port >= 0)
                {
                    masked[port >>> 5] |= 1 << (port & 31);
                    return port;
                }
            }
            // The sequence /then/ the flag: a wakeup after this look moves the sequence, and the sleep ends at once.
            if (woken)
            {
                woken = false;
                return WOKEN;
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return TIMED_OUT;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            // Slices keep an interrupt noticed within 100 ms; a notification, a wakeup or a close ends the sleep at once.
            page.await(seen, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    @Override
    public void wakeup()
    {
        woken = true;
        page.wakeWaiter();
    }

    @Override
    public void unmask(final int port) throws DriverException
    {
        checkPort(port);
        synchronized (masked)
        {
            masked[port >>> 5] &= ~(1 << (port & 31));
        }
    }

    @Override
    public int remoteDomid(final int port) throws DriverException
    {
        checkPort(port);
        if (page.state(port) == EventPage.FREE)
        {
            throw new DriverException("port " + port + " is not bound through event-channel handle " + handle);
        }
        return page.remoteDomid(port);
    }

    @Override
    public boolean isConnected(final int port) throws DriverException
    {
        checkPort(port);
        return page.state(port) == EventPage.CONNECTED;
    }

    @Override
    public void close() throws DriverException
    {
        if (!closed)
        {
            closed = true;
            page.wakeWaiter(); // a thread in pending sees the close at once
            domain.request("evtchn-close " + handle);
        }
    }

    private static void checkPort(final int port)
    {
        if (port <= 0 || port >= EventPage.MAX_PORTS)
        {
            throw new IllegalArgumentException("port must be in 1.." + (EventPage.MAX_PORTS - 1) + ": port=" + port);
        }
    }
}
