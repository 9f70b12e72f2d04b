package io.tubes.driver.xen.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import io.tubes.driver.DriverException;

/**
 * What can be checked without Xen: the bindings match Debian's libxengnttab.so.1 and
 * libxenevtchn.so.1 symbol for symbol, and a machine without Xen is told so. The driver on Xen itself
 * is issue 7's QEMU harness.
 */
class XenDriverTest
{
    @Test
    void everyBoundFunctionExistsInXensLibraries()
    {
        // Native.register resolves every method now: a wrong name or a missing library fails here.
        XenLibraries.load();
    }

    @Test
    void aMachineWithoutXenIsToldSo()
    {
        assertTrue(XenDriverImpl.DEVICES.stream().noneMatch(Files::exists), "this test expects a machine without Xen");
        final DriverException e = assertThrows(DriverException.class, () -> XenDriverImpl.start(XenDriverImpl.DEVICES));
        assertTrue(e.getMessage().startsWith("no /dev/xen/gntalloc: not running on Xen"), e.getMessage());
    }
}
