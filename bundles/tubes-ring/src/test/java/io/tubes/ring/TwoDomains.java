package io.tubes.ring;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * Two domains of one simulated host in this process: {@code a} grants {@code b} pages for a ring,
 * which {@code b} maps, and an event channel links their ports. Closing frees all of it.
 */
final class TwoDomains implements AutoCloseable
{
    final SimHost host;
    final SimXenDriver a;
    final SimXenDriver b;
    final EventChannels aEvents;
    final EventChannels bEvents;
    /** The ring's pages as {@code a} shares them, and as {@code b} maps them: the same memory. */
    final SharedPages shared;
    final MappedPages mapped;
    final int aPort;
    final int bPort;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    TwoDomains(final Path dir, final int pages) throws Exception
    {
        try
        {
            host = opened(SimHost.start(new HostLayout(dir)));
            a = opened(SimXenDriver.join(host.layout(), "a"));
            b = opened(SimXenDriver.join(host.layout(), "b"));
            aEvents = opened(a.openEventChannels());
            bEvents = opened(b.openEventChannels());
            shared = opened(a.grantTable().share(b.domid(), pages, true, null));
            aPort = aEvents.bindUnbound(b.domid());
            bPort = bEvents.bindInterdomain(a.domid(), aPort);
            mapped = opened(b.grantTable().map(a.domid(), shared.refs(), true, null));
        }
        catch (final Exception e)
        {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T opened(final T resource)
    {
        opened.push(resource);
        return resource;
    }

    /** Frees what was made, the last first. */
    @Override
    public void close() throws Exception
    {
        while (!opened.isEmpty())
        {
            opened.pop().close();
        }
    }
}
