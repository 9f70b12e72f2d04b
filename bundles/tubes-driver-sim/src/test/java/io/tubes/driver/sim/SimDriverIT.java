package io.tubes.driver.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstore.wire.XsPaths;

/**
 * Grant tables and event channels between real processes of the simulated host: this JVM is one
 * domain, scripted child processes are the others.
 */
// Processes that hang fail the test instead of the build; @AfterEach still kills them.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SimDriverIT
{
    @TempDir
    Path dir;

    private SimHost host;
    private SimXenDriver self;

    @BeforeEach
    void start() throws Exception
    {
        host = SimHost.start(new HostLayout(dir));
        self = SimXenDriver.join(host.layout(), "test");
    }

    @AfterEach
    void stop() throws Exception
    {
        self.close();
        host.close();
        assertFalse(Files.exists(host.layout().sharedMemoryDirectory()), "the host leaves no shared memory behind");
    }

    @Test
    void grantedPagesAreTheSameMemoryAndOnlyTheGranteeMapsThem() throws Exception
    {
        try (ScriptedDomain one = new ScriptedDomain(dir, "one"); ScriptedDomain three = new ScriptedDomain(dir, "three"))
        {
            final int ref = one.number("share " + self.domid() + " 2");
            one.call("put 4100 hello-from-one");
            try (MappedPages mapped = self.grantTable().map(one.domid, List.of(ref, ref + 1), true, null))
            {
                final byte[] seen = new byte[14];
                mapped.buffer().get(4100, seen);
                assertEquals("hello-from-one", new String(seen, StandardCharsets.UTF_8));
                mapped.buffer().put(8, "reply".getBytes(StandardCharsets.UTF_8));
                assertEquals("got reply", one.call("get 8 5"));
                assertEquals(new GrantTable.Counts(0, 2, 0), self.grantTable().counts());
            }
            assertEquals(new GrantTable.Counts(0, 0, 0), self.grantTable().counts(), "unmapping is counted");

            assertTrue(three.call("map " + one.domid + " " + ref).contains("has not granted ref " + ref + " to domain "
                + three.domid), "a third domain cannot map");
            final DriverException unknown = assertThrows(DriverException.class,
                () -> self.grantTable().map(one.domid, List.of(999), false, null));
            assertTrue(unknown.getMessage().contains("no such ref, or it was revoked"), unknown.getMessage());
        }
    }

    @Test
    void readOnlyGrantsCannotBeMappedWritable() throws Exception
    {
        try (ScriptedDomain one = new ScriptedDomain(dir, "one"); SharedPages shared = self.grantTable()
            .share(one.domid, 1, false, null))
        {
            assertTrue(one.call("map " + self.domid() + " " + shared.refs().get(0)).contains("granted read-only"));
        }
    }

    @Test
    void notificationsWakeTheBoundPeerAndOnlyIt() throws Exception
    {
        try (ScriptedDomain one = new ScriptedDomain(dir, "one"); ScriptedDomain three = new ScriptedDomain(dir, "three");
             EventChannels events = self.openEventChannels())
        {
            final int onePort = one.number("unbound " + self.domid());
            final int threePort = three.number("unbound " + self.domid());
            final int mine = events.bindInterdomain(one.domid, onePort);
            assertTrue(events.isConnected(mine));

            events.notify(mine);
            assertEquals("pending " + onePort, one.call("wait 5000"));
            assertEquals("timeout", three.call("wait 200"), "domain three's port was never connected");
            assertTrue(three.call("notify " + threePort).contains("not connected"));

            assertEquals("ok", one.call("notify " + onePort));
            assertEquals(mine, events.pending(5, TimeUnit.SECONDS));
            assertEquals("ok", one.call("notify " + onePort));
            assertEquals(-1, events.pending(100, TimeUnit.MILLISECONDS), "masked until unmasked");
            events.unmask(mine);
            assertEquals(mine, events.pending(5, TimeUnit.SECONDS), "the event waited while masked");

            final DriverException stolen = assertThrows(DriverException.class,
                () -> events.bindInterdomain(one.domid, onePort));
            assertTrue(stolen.getMessage().contains("is not an unbound port offered to domain " + self.domid()),
                stolen.getMessage());
            assertEquals(new GrantTable.Counts(0, 0, 1), self.grantTable().counts());
        }
    }

    @Test
    void aWaitingDomainSleepsWithoutSpinning() throws Exception
    {
        try (EventChannels events = self.openEventChannels())
        {
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final AtomicLong cpuNanos = new AtomicLong();
            final Thread waiter = new Thread(() ->
            {
                final long before = threads.getCurrentThreadCpuTime();
                try
                {
                    events.pending(1, TimeUnit.SECONDS);
                }
                catch (final Exception e)
                {
                    throw new IllegalStateException(e);
                }
                cpuNanos.set(threads.getCurrentThreadCpuTime() - before);
            });
            waiter.start();
            waiter.join();
            assertTrue(cpuNanos.get() < TimeUnit.MILLISECONDS.toNanos(100), "a 1 s wait used "
                + TimeUnit.NANOSECONDS.toMillis(cpuNanos.get()) + " ms of CPU");
        }
    }

    @Test
    void killNineRevokesEverythingAndThePeerNoticesAtOnce() throws Exception
    {
        try (XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(self.xenstorePath())));
             EventChannels events = self.openEventChannels())
        {
            final BlockingQueue<String> released = new LinkedBlockingQueue<>();
            xs.watch(XsPaths.RELEASE_DOMAIN, released::add);
            released.take();
            final ScriptedDomain doomed = new ScriptedDomain(dir, "doomed");
            final int port = doomed.number("unbound " + self.domid());
            final int mine = events.bindInterdomain(doomed.domid, port);
            final int ref = doomed.number("share " + self.domid() + " 1 " + port);
            doomed.call("put 0 L");
            final MappedPages mapped = self.grantTable().map(doomed.domid, List.of(ref), false, null);
            assertEquals('L', mapped.buffer().get(0));
            assertTrue(host.status().stream().anyMatch(l -> l.contains("doomed") && l.contains("grants 1")
                && l.contains("ports 1")), host.status()::toString);

            doomed.close(); // kill -9
            assertEquals(mine, events.pending(1, TimeUnit.SECONDS), "the peer is kicked when the domain dies");
            assertEquals(0, mapped.buffer().get(0), "unmap notification zeroed the byte");
            assertFalse(events.isConnected(mine));
            assertThrows(DriverException.class, () -> events.notify(mine));
            assertEquals(XsPaths.RELEASE_DOMAIN, released.poll(1, TimeUnit.SECONDS));
            assertTrue(host.status().stream().noneMatch(l -> l.contains("doomed")), host.status()::toString);
            mapped.close();
            events.unbind(mine);
            assertEquals(new GrantTable.Counts(0, 0, 0), self.grantTable().counts(), "counts back where they were");
            try (var files = Files.list(host.layout().sharedMemoryDirectory()))
            {
                assertEquals(1, files.count(), "only this domain's event page remains");
            }
        }
    }
}
