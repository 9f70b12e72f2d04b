package io.tubes.driver;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The hypervisor as this domain sees it. The OSGi service carries {@code driver=sim} or
 * {@code driver=xen}.
 */
@ProviderType
public interface XenDriver
{
    /** This domain's id. */
    int domid();

    /** What the driver runs on, for messages ("simulated host at /tmp/h", "Xen"). */
    String description();

    /**
     * Where this domain reaches xenstored: its own socket on the simulated host, the xenbus device
     * ({@code /dev/xen/xenbus}) in a Xen guest, xenstored's socket in dom0.
     */
    String xenstorePath();

    /** The hypervisor's view for users, one line each: the domains and what each holds where the driver knows it. */
    List<String> status() throws DriverException;

    /**
     * The domains whose names the hypervisor's toolstack tells this domain, by id: all of them on
     * the simulated host; on Xen none (a guest cannot read other domains' {@code name} nodes; dom0
     * reads them from XenStore).
     */
    default Map<Integer, String> domainNames() throws DriverException
    {
        return Map.of();
    }

    /** This domain's grant table. */
    GrantTable grantTable();

    /** Opens a new event-channel handle. */
    EventChannels openEventChannels() throws DriverException;
}
