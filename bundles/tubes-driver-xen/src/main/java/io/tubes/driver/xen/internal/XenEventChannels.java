package io.tubes.driver.xen.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * One libxenevtchn handle. Waiting uses ppoll() on the handle's descriptor before
 * {@code xenevtchn_pending}, as xenevtchn.h asks, so that a wait can time out.
 */
final class XenEventChannels implements EventChannels
{
    private static final short POLLIN = 1;

    private final Pointer handle;
    private final int fd;
    private final AtomicInteger domainPorts;
    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();
    private final Memory pollfd = new Memory(8);
    private final Memory timespec = new Memory(16);
    private volatile boolean closed;

    XenEventChannels(final AtomicInteger domainPorts) throws DriverException
    {
        this.domainPorts = domainPorts;
        this.handle = XenLibraries.EvtChn.xenevtchn_open(null, 0);
        if (handle == null)
        {
            throw new DriverException("cannot open /dev/xen/evtchn (" + XenLibraries.lastError() + ")");
        }
        this.fd = XenLibraries.EvtChn.xenevtchn_fd(handle);
    }

    @Override
    public int bindUnbound(final int remoteDomid) throws DriverException
    {
        return bound(XenLibraries.EvtChn.xenevtchn_bind_unbound_port(handle, remoteDomid),
            "bind an unbound port for domain " + remoteDomid);
    }

    @Override
    public int bindInterdomain(final int remoteDomid, final int remotePort) throws DriverException
    {
        return bound(XenLibraries.EvtChn.xenevtchn_bind_interdomain(handle, remoteDomid, remotePort),
            "connect to port " + remotePort + " of domain " + remoteDomid);
    }

    private int bound(final int port, final String what) throws DriverException
    {
        if (port < 0)
        {
            throw new DriverException("cannot " + what + " (" + XenLibraries.lastError() + ")");
        }
        ports.add(port);
        domainPorts.incrementAndGet();
        return port;
    }

    @Override
    public void notify(final int port) throws DriverException
    {
        if (XenLibraries.EvtChn.xenevtchn_notify(handle, port) != 0)
        {
            throw new DriverException("cannot notify port " + port + " (" + XenLibraries.lastError()
                + "; its peer may be gone)");
        }
    }

    @Override
    public void unbind(final int port) throws DriverException
    {
        if (ports.remove(port))
        {
            domainPorts.decrementAndGet();
        }
        if (XenLibraries.EvtChn.xenevtchn_unbind(handle, port) != 0)
        {
            throw new DriverException("cannot unbind port " + port + " (" + XenLibraries.lastError() + ")");
        }
    }

    @Override
    public synchronized int pending(final long timeout, final TimeUnit unit)
        throws DriverException, InterruptedException
    {
        if (closed)
        {
            throw new DriverException("the event-channel handle is closed");
        }
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true)
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            // Slices keep an interrupt noticed within 100 ms.
            final long left = Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
            pollfd.setInt(0, fd);
            pollfd.setShort(4, POLLIN);
            pollfd.setShort(6, (short) 0);
            timespec.setLong(0, 0);
            timespec.setLong(8, Math.max(0, left)); // under 100 ms: the nanoseconds field alone holds it
            final int ready = XenLibraries.LibC.ppoll(pollfd, 1, timespec, null);
            if (ready > 0)
            {
                final int port = XenLibraries.EvtChn.xenevtchn_pending(handle);
                if (port < 0)
                {
                    throw new DriverException("cannot read a pending port (" + XenLibraries.lastError() + ")");
                }
                return port;
            }
            if (deadline - System.nanoTime() <= 0)
            {
                return -1;
            }
        }
    }

    @Override
    public void unmask(final int port) throws DriverException
    {
        if (XenLibraries.EvtChn.xenevtchn_unmask(handle, port) != 0)
        {
            throw new DriverException("cannot unmask port " + port + " (" + XenLibraries.lastError() + ")");
        }
    }

    @Override
    public boolean isConnected(final int port)
    {
        // Xen keeps no peer state the handle can read cheaply; a notify to a gone peer fails instead.
        return ports.contains(port) && !closed;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            domainPorts.addAndGet(-ports.size());
            ports.clear();
            XenLibraries.EvtChn.xenevtchn_close(handle);
        }
    }
}
