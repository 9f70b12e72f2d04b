package io.tubes.driver.sim;

import java.io.IOException;
import java.util.List;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.XenDriver;
import io.tubes.simhost.HostLayout;
import io.tubes.simhost.shm.Futex;

/**
 * The driver of a domain of the simulated host: joins the host as a domain, then offers its grant
 * table and event channels. Closing it leaves the host, which releases everything the domain held.
 */
public final class SimXenDriver implements XenDriver, AutoCloseable
{
    private final SimDomain domain;
    private final Futex futex;
    private final GrantTable grantTable;

    private SimXenDriver(final SimDomain domain, final Futex futex)
    {
        this.domain = domain;
        this.futex = futex;
        this.grantTable = new SimGrantTable(domain);
    }

    /** Joins the host of {@code layout} as domain {@code name}. */
    public static SimXenDriver join(final HostLayout layout, final String name) throws IOException
    {
        final Futex futex;
        try
        {
            futex = Futex.load();
        }
        catch (final UnsupportedOperationException e)
        {
            throw new DriverException("the simulated host's driver cannot run here: " + e.getMessage(), e);
        }
        return new SimXenDriver(SimDomain.join(layout, name), futex);
    }

    /** The domain this driver joined as. */
    public SimDomain domain()
    {
        return domain;
    }

    @Override
    public int domid()
    {
        return domain.domid();
    }

    @Override
    public String description()
    {
        return "domain " + domain.domid() + " (" + domain.name() + ") of the simulated host at "
            + domain.layout().directory();
    }

    @Override
    public String xenstorePath()
    {
        return domain.xenstoreSocket().toString();
    }

    @Override
    public List<String> status() throws DriverException
    {
        return domain.status();
    }

    @Override
    public GrantTable grantTable()
    {
        return grantTable;
    }

    @Override
    public EventChannels openEventChannels() throws DriverException
    {
        return new SimEventChannels(domain, futex);
    }

    @Override
    public void close() throws IOException
    {
        domain.close();
    }
}
