package io.tubes.driver;

import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One event-channel handle, as {@code xenevtchn_open} gives: the ports bound through it, and a wait
 * for any of them to be notified. Events carry no data and may coalesce. Only the bound peer
 * receives a notification; a port of another handle or domain cannot be used. One thread waits on
 * a handle; any thread may notify, wake the waiter, or close the handle.
 */
@ProviderType
public interface EventChannels extends AutoCloseable
{
    /** What {@link #pending} returns when the time ran out first. */
    int TIMED_OUT = -1;
    /** What {@link #pending} returns when {@link #wakeup()} ended the wait. */
    int WOKEN = -2;

    /** Binds a new port that {@code remoteDomid} may connect to ({@code xenevtchn_bind_unbound_port}). */
    int bindUnbound(int remoteDomid) throws DriverException;

    /** Connects a new port to {@code remotePort}, which {@code remoteDomid} bound unbound for this domain. */
    int bindInterdomain(int remoteDomid, int remotePort) throws DriverException;

    /** Notifies the peer of {@code port}. */
    void notify(int port) throws DriverException;

    /** Unbinds {@code port}; its peer's port is left unconnected, and the peer is notified of that. */
    void unbind(int port) throws DriverException;

    /**
     * Waits, without spinning, until a port of this handle is notified, and returns it; the port
     * stays masked (not returned again) until {@link #unmask(int)}.
     *
     * @return the port, {@link #TIMED_OUT} when the timeout passed first, or {@link #WOKEN}
     * @throws DriverException when the handle is closed, before or during the wait
     */
    int pending(long timeout, TimeUnit unit) throws DriverException, InterruptedException;

    /**
     * Ends the wait of the thread in {@link #pending} at once, or, if none waits, the next wait: it
     * returns {@link #WOKEN}. Any thread may call it, as {@code Selector.wakeup} for a selector.
     */
    void wakeup() throws DriverException;

    /** Lets {@code port} be returned by {@link #pending} again. */
    void unmask(int port) throws DriverException;

    /** The domain at the other end of {@code port}: the one named when the port was bound. */
    int remoteDomid(int port) throws DriverException;

    /** Whether {@code port} is bound and connected to a peer that has not gone. */
    boolean isConnected(int port) throws DriverException;

    /**
     * Unbinds every port and closes the handle. A thread waiting in {@link #pending} meanwhile is
     * woken and fails with a {@link DriverException}; the handle is freed only once it has left.
     */
    @Override
    void close() throws DriverException;
}
