package io.tubes.handshake;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.tubes.driver.GrantTable;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * A simulated host and domains joined to it from this process, each with its own XenStore
 * connection (a domain's, not dom0's) and tube engine; and dom0's view, to count what is left.
 * Closing frees all of it.
 */
final class SimDomains implements AutoCloseable
{
    final SimHost host;
    final XenStoreConnection dom0;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final List<Domain> domains = new ArrayList<>();

    /** One joined domain. */
    record Domain(String name, SimXenDriver driver, XenStoreConnection xs, TubeEngine tubes)
    {
        int domid()
        {
            return driver.domid();
        }

        GrantTable.Counts counts() throws Exception
        {
            return driver.grantTable().counts();
        }
    }

    SimDomains(final Path dir) throws Exception
    {
        try
        {
            host = opened(SimHost.start(new HostLayout(dir)));
            dom0 = opened(XenStoreClients.connect(XenStoreAddress.of(host.layout().xenstoredSocket())));
        }
        catch (final Exception e)
        {
            close();
            throw e;
        }
    }

    /** Joins a domain and starts its tube engine. */
    Domain join(final String name) throws Exception
    {
        return join(name, null, AcceptPolicy.NONE);
    }

    /** Joins a domain and starts its tube engine with a listener and an accept policy. */
    Domain join(final String name, final TubeEvents events, final AcceptPolicy policy) throws Exception
    {
        final SimXenDriver driver = opened(SimXenDriver.join(host.layout(), name));
        final XenStoreConnection xs =
            opened(XenStoreClients.connect(XenStoreAddress.of(Path.of(driver.xenstorePath()))));
        final TubeEngine tubes = opened(TubeEngines.start(xs, driver, events, policy));
        final Domain domain = new Domain(name, driver, xs, tubes);
        domains.add(domain);
        return domain;
    }

    /** Every node under the domains' {@code data} directories, as dom0 sees them: what tubes leave behind. */
    List<String> dataNodes() throws XenStoreException
    {
        final List<String> nodes = new ArrayList<>();
        for (final Domain domain : domains)
        {
            final String data = "/local/domain/" + domain.domid() + "/data";
            if (dom0.exists(data))
            {
                walk(data, nodes);
            }
        }
        return nodes;
    }

    private void walk(final String path, final List<String> nodes) throws XenStoreException
    {
        nodes.add(path);
        for (final String child : dom0.directory(path))
        {
            walk(path + "/" + child, nodes);
        }
    }

    private <T extends AutoCloseable> T opened(final T resource)
    {
        opened.push(resource);
        return resource;
    }

    @Override
    public void close() throws Exception
    {
        while (!opened.isEmpty())
        {
            opened.pop().close();
        }
    }
}
