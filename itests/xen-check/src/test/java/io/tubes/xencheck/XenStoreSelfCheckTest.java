package io.tubes.xencheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.Permission.Access;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstored.XenStored;

/**
 * The checks the real-Xen harness runs against Xen's xenstored pass against ours, as dom0 and as a
 * guest whose home is laid out as Xen's toolstack lays it out.
 */
@Timeout(60)
class XenStoreSelfCheckTest
{
    @TempDir
    Path dir;

    @Test
    void ourXenstoredPassesWhatXensPasses() throws Exception
    {
        try (XenStored xenstored = XenStored.start(dir);
             XenStoreConnection dom0 = XenStoreClients.connect(XenStoreAddress.of(xenstored.dom0Socket())))
        {
            xenstored.introduce(3);
            dom0.write("/local/domain/0/name", "Domain-0"); // as Xen's init scripts do
            // As libxl does: the home is dom0's and readable by the guest; data/ is the guest's own.
            dom0.write("/local/domain/3/domid", "3");
            dom0.setPermissions("/local/domain/3", List.of(new Permission(0, Access.NONE), new Permission(3, Access.READ)));
            dom0.setPermissions("/local/domain/3/domid", List.of(new Permission(0, Access.NONE), new Permission(3, Access.READ)));
            dom0.mkdir("/local/domain/3/data");
            dom0.setPermissions("/local/domain/3/data", List.of(new Permission(3, Access.NONE)));

            final ByteArrayOutputStream report = new ByteArrayOutputStream();
            final PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8);
            final int dom0Failures = XenStoreSelfCheck.runAsDom0(dom0, 3, out);
            final int guestFailures;
            try (XenStoreConnection guest = XenStoreClients.connect(XenStoreAddress.of(xenstored.domainSocket(3))))
            {
                guestFailures = XenStoreSelfCheck.runAsGuest(guest, out);
            }
            final String lines = report.toString(StandardCharsets.UTF_8);
            assertEquals(0, dom0Failures + guestFailures, lines);
            // 15 common checks for each side, 3 for dom0 only, 8 for the guest only
            assertEquals(15 * 2 + 3 + 8, lines.lines().filter(l -> l.startsWith("TUBES-XS PASS")).count(), lines);
        }
    }
}
