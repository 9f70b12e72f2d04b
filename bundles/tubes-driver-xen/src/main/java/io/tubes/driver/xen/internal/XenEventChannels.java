package io.tubes.driver.xen.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * One libxenevtchn handle. Waiting uses ppoll() on the handle's descriptor before
 * {@code xenevtchn_pending}, as xenevtchn.h asks, so that a wait can time out, and on an eventfd
 * beside it, which {@link #wakeup()} and {@link #close()} write to end the wait at once. Every call
 * into the handle holds a read lock, and close frees the handle and the eventfd under the write
 * lock: never while another thread is in ppoll, xenevtchn_pending or a notify.
 */
final class XenEventChannels implements EventChannels
{
    private static final short POLLIN = 1;

    private final Pointer handle;
    private final int fd;
    private final int wakeFd;
    private final AtomicInteger domainPorts;
    /** The ports bound through this handle, and the domain at the other end of each. */
    private final Map<Integer, Integer> ports = new ConcurrentHashMap<>();
    private final Memory pollfds = new Memory(16);
    private final Memory timespec = new Memory(16);
    private final Memory counter = new Memory(8);
    private final Memory one = new Memory(8);
    private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    XenEventChannels(final AtomicInteger domainPorts) throws DriverException
    {
        this.domainPorts = domainPorts;
        this.handle = XenLibraries.EvtChn.xenevtchn_open(null, 0);
        if (handle == null)
        {
            throw new DriverException("cannot open /dev/xen/evtchn (" + XenLibraries.lastError() + ")");
        }
        this.fd = XenLibraries.EvtChn.xenevtchn_fd(handle);
        this.wakeFd = XenLibraries.LibC.eventfd(0, XenLibraries.LibC.EFD_CLOEXEC | XenLibraries.LibC.EFD_NONBLOCK);
        if (wakeFd < 0)
        {
            final String error = XenLibraries.lastError();
            XenLibraries.EvtChn.xenevtchn_close(handle);
            throw new DriverException("cannot make an eventfd for the event-channel handle (" + error + ")");
        }
        one.setLong(0, 1);
    }

    /** Holds the handle open for a call; the caller unlocks. */
    private Lock inUse() throws DriverException
    {
        final Lock read = use.readLock();
        read.lock();
        if (closed.get())
        {
            read.unlock();
            throw new DriverException("the event-channel handle is closed");
        }
        return read;
    }

    @Override
    public int bindUnbound(final int remoteDomid) throws DriverException
    {
        final Lock held = inUse();
        try
        {
            return bound(XenLibraries.EvtChn.xenevtchn_bind_unbound_port(handle, remoteDomid), remoteDomid,
                "bind an unbound port for domain " + remoteDomid);
        }
        finally
        {
            held.unlock();
        }
    }

    @Override
    public int bindInterdomain(final int remoteDomid, final int remotePort) throws DriverException
    {
        final Lock held = inUse();
        try
        {
            return bound(XenLibraries.EvtChn.xenevtchn_bind_interdomain(handle, remoteDomid, remotePort), remoteDomid,
                "connect to port " + remotePort + " of domain " + remoteDomid);
        }
        finally
        {
            held.unlock();
        }
    }

    private int bound(final int port, final int remoteDomid, final String what) throws DriverException
    {
        if (port < 0)
        {
            throw new DriverException("cannot " + what + " (" + XenLibraries.lastError() + ")");
        }
        ports.put(port, remoteDomid);
        domainPorts.incrementAndGet();
        return port;
    }

    @Override
    public void notify(final int port) throws DriverException
    {
        final Lock held = inUse();
        try
        {
            if (XenLibraries.EvtChn.xenevtchn_notify(handle, port) != 0)
            {
                throw new DriverException("cannot notify port " + port + " (" + XenLibraries.lastError()
                    + "; its peer may be gone)");
            }
        }
        finally
        {
            held.unlock();
        }
    }

    @Override
    public void unbind(final int port) throws DriverException
    {
        final Lock held = inUse();
        try
        {
            if (ports.remove(port) != null)
            {
                domainPorts.decrementAndGet();
            }
            if (XenLibraries.EvtChn.xenevtchn_unbind(handle, port) != 0)
            {
                throw new DriverException("cannot unbind port " + port + " (" + XenLibraries.lastError() + ")");
            }
        }
        finally
        {
            held.unlock();
        }
    }

    @Override
    public synchronized int pending(final long timeout, final TimeUnit unit)
        throws DriverException, InterruptedException
    {
        final Lock held = inUse();
        try
        {
            final long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (true)
            {
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                // Slices keep an interrupt noticed within 100 ms.
                final long left = Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
                pollfds.setInt(0, fd);
                pollfds.setShort(4, POLLIN);
                pollfds.setShort(6, (short) 0);
                pollfds.setInt(8, wakeFd);
                pollfds.setShort(12, POLLIN);
                pollfds.setShort(14, (short) 0);
                timespec.setLong(0, 0);
                timespec.setLong(8, Math.max(0, left)); // under 100 ms: the nanoseconds field alone holds it
                XenLibraries.LibC.ppoll(pollfds, 2, timespec, null);
                if ((pollfds.getShort(14) & POLLIN) != 0)
                {
                    XenLibraries.LibC.read(wakeFd, counter, 8); // takes every wakeup so far
                    if (closed.get())
                    {
                        throw new DriverException("the event-channel handle was closed while this thread waited in it");
                    }
                    return WOKEN;
                }
                if ((pollfds.getShort(6) & POLLIN) != 0)
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
                    return TIMED_OUT;
                }
            }
        }
        finally
        {
            held.unlock();
        }
    }

    @Override
    public void wakeup() throws DriverException
    {
        final Lock held = inUse();
        try
        {
            signal();
        }
        finally
        {
            held.unlock();
        }
    }

    private void signal() throws DriverException
    {
        if (XenLibraries.LibC.write(wakeFd, one, 8) != 8)
        {
            throw new DriverException("cannot wake the event-channel handle's waiter (" + XenLibraries.lastError() + ")");
        }
    }

    @Override
    public void unmask(final int port) throws DriverException
    {
        final Lock held = inUse();
        try
        {
            if (XenLibraries.EvtChn.xenevtchn_unmask(handle, port) != 0)
            {
                throw new DriverException("cannot unmask port " + port + " (" + XenLibraries.lastError() + ")");
            }
        }
        finally
        {
            held.unlock();
        }
    }

    @Override
    public int remoteDomid(final int port) throws DriverException
    {
        final Integer remote = ports.get(port);
        if (remote == null)
        {
            throw new DriverException("port " + port + " is not bound through this event-channel handle");
        }
        return remote;
    }

    @Override
    public boolean isConnected(final int port)
    {
        // Xen keeps no peer state the handle can read cheaply; the ring's live words tell of a gone peer.
        return ports.containsKey(port) && !closed.get();
    }

    @Override
    public void close() throws DriverException
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        final Lock read = use.readLock();
        read.lock();
        try
        {
            signal(); // a waiter leaves pending, and so lets go of its read lock
        }
        finally
        {
            read.unlock();
        }
        final Lock write = use.writeLock();
        write.lock();
        try
        {
            domainPorts.addAndGet(-ports.size());
            ports.clear();
            XenLibraries.EvtChn.xenevtchn_close(handle);
            XenLibraries.LibC.close(wakeFd);
        }
        finally
        {
            write.unlock();
        }
    }
}
