package io.tubes.driver.xen;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

import io.tubes.driver.XenDriver;
import io.tubes.driver.xen.internal.XenDriverImpl;

/**
 * The driver of the Xen domain this program runs in, held by the program that opened it: its grant
 * tables and event channels through Xen's libraries, and {@link #close()}, which closes their
 * handles. In OSGi the {@code XenDriver} service ({@code io.tubes.host} with {@code driver=xen}) is
 * the same driver without the means to close it.
 */
@ProviderType
public interface XenDomainDriver extends XenDriver, AutoCloseable
{
    /**
     * Opens the driver of this domain.
     *
     * @throws IOException saying what is missing: Xen's devices (not on Xen, or modules not loaded),
     *                     its libraries, or XenStore
     */
    static XenDomainDriver open() throws IOException
    {
        return XenDriverImpl.start(XenDriverImpl.DEVICES);
    }

    /** Closes the grant-table handles. */
    @Override
    void close();
}
