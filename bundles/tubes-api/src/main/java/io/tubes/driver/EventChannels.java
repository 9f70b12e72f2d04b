package io.tubes.driver;

import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One event-channel handle, as {@code xenevtchn_open} gives: the ports bound through it, and a wait
 * for any of them to be notified. Events carry no data and may coalesce. Only the bound peer
 * receives a notification; a port of another handle or domain cannot be used. One thread waits on
 * a handle; any thread may notify.
 */
@ProviderType
public interface EventChannels extends AutoCloseable
{
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
     * @return the port, or -1 when the timeout passed first
     */
    int pending(long timeout, TimeUnit unit) throws DriverException, InterruptedException;

    /** Lets {@code port} be returned by {@link #pending} again. */
    void unmask(int port) throws DriverException;

    /** Whether {@code port} is bound and connected to a peer that has not gone. */
    boolean isConnected(int port) throws DriverException;

    /** Unbinds every port and closes the handle. */
    @Override
    void close() throws DriverException;
}
