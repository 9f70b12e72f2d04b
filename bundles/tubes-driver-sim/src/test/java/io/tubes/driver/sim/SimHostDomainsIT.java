package io.tubes.driver.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.sim.internal.SimDomain;
import io.tubes.sim.protocol.DomainInfo;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.testing.Requirements;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstore.wire.XsPaths;

/** Domains as real processes joining a simulated host, seen by Xen's tools, and released when killed. */
// Processes that hang fail the test instead of the build; @AfterEach still kills them.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SimHostDomainsIT
{
    @TempDir
    Path dir;

    private final Processes processes = new Processes();

    @AfterEach
    void reap() throws InterruptedException
    {
        processes.close();
    }

    private int join(final String name) throws IOException
    {
        final Process domain = processes.module("io.tubes.driver.sim", "--host-dir", dir.toString(), name);
        final String line = Processes.lineStartingWith(domain, "joined as domain ");
        return Integer.parseInt(line.split(" ")[3]);
    }

    private static String xenstoreLs(final HostLayout layout) throws IOException, InterruptedException
    {
        final ProcessBuilder ls = new ProcessBuilder(Requirements.xenstoreTool("xenstore-ls").toString(), "/local/domain");
        ls.environment().put("XENSTORED_PATH", layout.xenstoredSocket().toString());
        final Process process = ls.start();
        try
        {
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0, out);
            return out;
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void domainsJoinAsProcessesAndXenToolsSeeThemAsXenWould() throws Exception
    {
        try (SimHost host = SimHost.start(new HostLayout(dir)))
        {
            final int alpha = join("alpha");
            final int beta = join("beta");
            assertEquals(List.of("alpha", "beta"), host.domains().stream().map(DomainInfo::name).toList());
            final String ls = xenstoreLs(host.layout());
            assertTrue(ls.contains(alpha + " = \"\"\n name = \"alpha\"\n domid = \"" + alpha + "\""), ls);
            assertTrue(ls.contains(beta + " = \"\"\n name = \"beta\"\n domid = \"" + beta + "\""), ls);
            assertTrue(Files.exists(host.layout().domainXenstoreSocket(alpha)));
        }
        assertFalse(Files.exists(dir.resolve("control")), "a stopped host leaves no socket behind");
        assertFalse(Files.exists(dir.resolve("xenstored/socket")));
    }

    @Test
    void killNineReleasesADomainWithinASecondAndPeersSeeIt() throws Exception
    {
        try (SimHost host = SimHost.start(new HostLayout(dir)))
        {
            final Process victimProcess = processes.module("io.tubes.driver.sim", "--host-dir", dir.toString(), "victim");
            final int victim = Integer.parseInt(Processes.lineStartingWith(victimProcess, "joined as domain ").split(" ")[3]);
            final int survivor = join("survivor");
            try (XenStoreConnection asSurvivor = XenStoreClients.connect(
                XenStoreAddress.of(host.layout().domainXenstoreSocket(survivor))))
            {
                final BlockingQueue<String> events = new LinkedBlockingQueue<>();
                asSurvivor.watch(XsPaths.RELEASE_DOMAIN, events::add);
                assertEquals(XsPaths.RELEASE_DOMAIN, events.poll(5, TimeUnit.SECONDS), "fires once when set");

                final long killed = System.nanoTime();
                victimProcess.destroyForcibly();
                assertEquals(XsPaths.RELEASE_DOMAIN, events.poll(1, TimeUnit.SECONDS), "the survivor sees the death");
                while (host.domains().stream().anyMatch(d -> d.domid() == victim))
                {
                    Thread.sleep(5);
                }
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                assertTrue(tookMs < 1_000, "released after " + tookMs + " ms");
                assertFalse(Files.exists(host.layout().domainXenstoreSocket(victim)));
                assertFalse(xenstoreLs(host.layout()).contains("victim"));
                assertTrue(host.status().stream().noneMatch(line -> line.contains("victim")), host.status()::toString);
            }
        }
    }

    @Test
    void namesAreUniqueAndErrorsSayWhatToDo() throws Exception
    {
        try (SimHost host = SimHost.start(new HostLayout(dir)); SimDomain first = SimDomain.join(host.layout(), "same"))
        {
            final IOException taken = assertThrows(IOException.class, () -> SimDomain.join(host.layout(), "same"));
            assertTrue(taken.getMessage().contains("taken by domain " + first.domid()), taken.getMessage());
        }
        final IOException noHost = assertThrows(IOException.class, () -> SimDomain.join(new HostLayout(dir), "x"));
        assertTrue(noHost.getMessage().contains("no simulated host answers at " + dir.resolve("control")),
            noHost.getMessage());
    }

    @Test
    void aHostKilledMidwayIsReplacedOverItsStaleFiles() throws Exception
    {
        final Process hostProcess = processes.module("io.tubes.simhost", "--host-dir", dir.toString());
        Processes.lineStartingWith(hostProcess, "tubes-host: simulated host at");
        join("orphan");
        hostProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertTrue(Files.exists(dir.resolve("control")), "kill -9 leaves the control socket behind");
        final Path staleShm = new HostLayout(dir).sharedMemoryDirectory();
        assertTrue(Files.isDirectory(staleShm), "and its shared memory");
        final Path staleFile = Files.createFile(staleShm.resolve("grant-1-8"));

        try (SimHost again = SimHost.start(new HostLayout(dir)); SimDomain fresh = SimDomain.join(again.layout(), "fresh"))
        {
            assertEquals(List.of("fresh"), again.domains().stream().map(DomainInfo::name).toList());
            assertFalse(Files.exists(staleFile), "the new host cleaned the old shared memory");
            final IOException second = assertThrows(IOException.class, () -> SimHost.start(new HostLayout(dir)));
            assertTrue(second.getMessage().contains("another xenstored is already running"), second.getMessage());
        }
    }
}
