package io.tubes.driver.xen.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.tubes.driver.DriverException;
import io.tubes.testing.Requirements;

/**
 * What can be checked without Xen: the bindings match Debian's libxengnttab.so.1 and
 * libxenevtchn.so.1 symbol for symbol, and a machine without Xen is told so. The driver on Xen itself
 * is checked by the real-Xen harness under QEMU.
 */
class XenDriverTest
{
    @Test
    void everyBoundFunctionExistsInXensLibraries()
    {
        for (final String library : new String[] {"libxengnttab.so.1", "libxenevtchn.so.1"})
        {
            Requirements.require(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu", library)), library
                + " not found: run .ci/install-tools as root (Debian's libxengnttab1 and libxenevtchn1)");
        }
        // Native.register resolves every method now: a wrong name or a missing library fails here.
        XenLibraries.load();
    }

    @Test
    void aMachineWithoutXenIsToldSo()
    {
        assumeTrue(XenDriverImpl.DEVICES.stream().noneMatch(Files::exists), "this machine runs Xen: nothing to be told");
        final DriverException e = assertThrows(DriverException.class, () -> XenDriverImpl.start(XenDriverImpl.DEVICES));
        assertTrue(e.getMessage().startsWith("no /dev/xen/gntalloc: not running on Xen"), e.getMessage());
    }
}
