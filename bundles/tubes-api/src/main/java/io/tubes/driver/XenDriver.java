package io.tubes.driver;

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

    /** This domain's grant table. */
    GrantTable grantTable();

    /** Opens a new event-channel handle. */
    EventChannels openEventChannels() throws DriverException;
}
