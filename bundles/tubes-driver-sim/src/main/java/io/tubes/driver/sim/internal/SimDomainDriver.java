package io.tubes.driver.sim.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.Futex;
import io.tubes.sim.protocol.HostLayout;

/** The {@link SimXenDriver} of a domain that has joined: its grant table and event channels. */
public final class SimDomainDriver implements SimXenDriver
{
    private final SimDomain domain;
    private final Futex futex;
    private final GrantTable grantTable;

    private SimDomainDriver(final SimDomain domain, final Futex futex)
    {
        this.domain = domain;
        this.futex = futex;
        this.grantTable = new SimGrantTable(domain);
    }

    /** Joins the host of {@code layout} as domain {@code name}. */
    public static SimDomainDriver join(final HostLayout layout, final String name) throws IOException
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
        return new SimDomainDriver(SimDomain.join(layout, name), futex);
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
    public Map<Integer, String> domainNames() throws DriverException
    {
        return domain.domainNames();
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
