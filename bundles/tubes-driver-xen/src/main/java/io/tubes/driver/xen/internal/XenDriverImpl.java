package io.tubes.driver.xen.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.Pointer;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.xen.XenDomainDriver;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * The driver SPI on real Xen. Starting it checks, in order, that Xen's devices exist, that the
 * libraries load, and which domain this is (from XenStore), each with a message saying what to do.
 */
public final class XenDriverImpl implements XenDomainDriver
{
    /** Devices a domain needs to share, map and signal. */
    public static final List<Path> DEVICES = List.of(Path.of("/dev/xen/gntalloc"), Path.of("/dev/xen/gntdev"),
        Path.of("/dev/xen/evtchn"));

    private final Pointer gnttab;
    private final Pointer gntshr;
    private final AtomicInteger ports = new AtomicInteger();
    private final XenGrantTable grantTable;
    private final String xenstorePath;
    private final int domid;

    private XenDriverImpl(final Pointer gnttab, final Pointer gntshr, final String xenstorePath, final int domid)
    {
        this.gnttab = gnttab;
        this.gntshr = gntshr;
        this.grantTable = new XenGrantTable(gnttab, gntshr, ports);
        this.xenstorePath = xenstorePath;
        this.domid = domid;
    }

    public static XenDriverImpl start(final List<Path> devices) throws IOException
    {
        for (final Path device : devices)
        {
            if (!Files.exists(device))
            {
                throw new DriverException("no " + device + ": not running on Xen (or the xen-gntalloc, xen-gntdev"
                    + " and xen-evtchn modules are not loaded); on the simulated host use driver=sim");
            }
        }
        XenLibraries.load();
        final Pointer gnttab = XenLibraries.GntTab.xengnttab_open(null, 0);
        final Pointer gntshr = XenLibraries.GntTab.xengntshr_open(null, 0);
        if (gnttab == null || gntshr == null)
        {
            throw new DriverException("cannot open Xen's grant devices (" + XenLibraries.lastError() + ")");
        }
        final String xenstorePath = Files.exists(XenStoreAddress.XENBUS_DEVICE)
            ? XenStoreAddress.XENBUS_DEVICE.toString() : XenStoreAddress.XEN_SOCKET.toString();
        try (XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(xenstorePath))))
        {
            // A guest reads its own id under its home; dom0's home may not say it.
            return new XenDriverImpl(gnttab, gntshr, xenstorePath,
                Integer.parseInt(xs.tryRead("domid").orElse("0").trim()));
        }
    }

    @Override
    public int domid()
    {
        return domid;
    }

    @Override
    public String description()
    {
        return "domain " + domid + " on Xen";
    }

    @Override
    public String xenstorePath()
    {
        return xenstorePath;
    }

    @Override
    public List<String> status()
    {
        final GrantTable.Counts counts = grantTable.counts();
        return List.of(String.format("domain %d on Xen: grants %d, mappings %d, ports %d (xl list shows the others)",
            domid, counts.grants(), counts.mappings(), counts.ports()));
    }

    @Override
    public GrantTable grantTable()
    {
        return grantTable;
    }

    @Override
    public EventChannels openEventChannels() throws DriverException
    {
        return new XenEventChannels(ports);
    }

    @Override
    public void close()
    {
        XenLibraries.GntTab.xengnttab_close(gnttab);
        XenLibraries.GntTab.xengntshr_close(gntshr);
    }
}
