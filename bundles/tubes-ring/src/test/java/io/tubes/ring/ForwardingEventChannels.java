package io.tubes.ring;

import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/** A real event-channel handle, for a test to change what one call of it does (override that call). */
class ForwardingEventChannels implements EventChannels
{
    private final EventChannels real;

    ForwardingEventChannels(final EventChannels real)
    {
        this.real = real;
    }

    @Override
    public int bindUnbound(final int remoteDomid) throws DriverException
    {
        return real.bindUnbound(remoteDomid);
    }

    @Override
    public int bindInterdomain(final int remoteDomid, final int remotePort) throws DriverException
    {
        return real.bindInterdomain(remoteDomid, remotePort);
    }

    @Override
    public void notify(final int port) throws DriverException
    {
        real.notify(port);
    }

    @Override
    public void unbind(final int port) throws DriverException
    {
        real.unbind(port);
    }

    @Override
    public int pending(final long timeout, final TimeUnit unit) throws DriverException, InterruptedException
    {
        return real.pending(timeout, unit);
    }

    @Override
    public void wakeup() throws DriverException
    {
        real.wakeup();
    }

    @Override
    public void unmask(final int port) throws DriverException
    {
        real.unmask(port);
    }

    @Override
    public int remoteDomid(final int port) throws DriverException
    {
        return real.remoteDomid(port);
    }

    @Override
    public boolean isConnected(final int port) throws DriverException
    {
        return real.isConnected(port);
    }

    @Override
    public void close() throws DriverException
    {
        real.close();
    }
}
