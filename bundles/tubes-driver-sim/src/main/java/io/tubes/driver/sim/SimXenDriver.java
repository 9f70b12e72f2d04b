package io.tubes.driver.sim;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

import io.tubes.driver.XenDriver;
import io.tubes.driver.sim.internal.SimDomainDriver;
import io.tubes.sim.protocol.HostLayout;

/**
 * The driver of a domain of the simulated host, held by the program that joined: the domain's grant
 * table and event channels, and {@link #close()}, which leaves the host so that it releases
 * everything the domain held. In OSGi the {@code XenDriver} service is the same driver without
 * the means to close it.
 */
@ProviderType
public interface SimXenDriver extends XenDriver, AutoCloseable
{
    /**
     * Joins the host of {@code layout} as domain {@code name}.
     *
     * @throws IOException when no host answers there, the name is taken or invalid, or the host refuses
     */
    static SimXenDriver join(final HostLayout layout, final String name) throws IOException
    {
        return SimDomainDriver.join(layout, name);
    }

    /** Leaves the host: the domain's grants, mappings, ports and XenStore nodes go. */
    @Override
    void close() throws IOException;
}
