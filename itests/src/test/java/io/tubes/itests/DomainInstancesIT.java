package io.tubes.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The distribution as a user runs it: bin/tubes-host, then two bin/tubes-domain instances, each a
 * Karaf of its own. Xen's xenstore-ls as dom0 sees both, each shell sees the other's nodes only where
 * permissions allow, and kill -9 of one releases its domain within a second.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DomainInstancesIT
{
    private static Distribution dist;
    private static Map<String, Integer> domids;

    @BeforeAll
    static void startHostAndTwoDomains() throws Exception
    {
        final Path hostDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-host");
        dist = new Distribution(hostDir);
        assertEquals(0, dist.run("bin/tubes-host", "start").exitCode());
        final long started = System.nanoTime();
        for (final String name : new String[] {"alpha", "beta"})
        {
            final Distribution.Result start = dist.run("bin/tubes-domain", name, "start");
            assertEquals(0, start.exitCode(), start.out());
        }
        domids = dist.domains();
        while (domids.size() < 2 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(180))
        {
            Thread.sleep(200);
            domids = dist.domains();
        }
        assertEquals(2, domids.size(), "both instances joined the host: " + domids);
        // Joined is not yet ready for the shell: wait until each console answers.
        for (final String name : domids.keySet())
        {
            while (!dist.shell(name, "tubes:domains").contains("this domain: domain"))
            {
                Thread.sleep(500);
            }
        }
        final double bootSeconds = (System.nanoTime() - started) / 1e9;
        final StringBuilder metrics = new StringBuilder(String.format(Locale.ROOT,
            "two domain instances started, joined and answering their shells in %.1f s%n", bootSeconds));
        for (final String name : domids.keySet())
        {
            final String status = Files.readString(Path.of("/proc", Long.toString(dist.pid(name)), "status"));
            final String rss = status.lines().filter(l -> l.startsWith("VmRSS")).findFirst().orElse("VmRSS ?");
            metrics.append(name).append(": ").append(rss.replaceAll("\\s+", " ")).append('\n');
        }
        System.out.print(metrics);
        Files.writeString(Path.of("target", "boot-metrics.txt"), metrics);
    }

    @AfterAll
    static void stopAll() throws Exception
    {
        if (dist == null)
        {
            return;
        }
        for (final String name : new String[] {"alpha", "beta", "gamma"})
        {
            dist.run("bin/tubes-domain", name, "stop");
        }
        dist.run("bin/tubes-host", "stop");
        dist.killAll();
    }

    @Test
    @Order(1)
    void xenToolsAsDom0SeeBothDomainsWithTheirNames() throws Exception
    {
        final String ls = dist.xenstoreLs("/local/domain");
        for (final Map.Entry<String, Integer> domain : domids.entrySet())
        {
            assertTrue(ls.contains(domain.getValue() + " = \"\"\n name = \"" + domain.getKey() + "\""), ls);
        }
    }

    @Test
    @Order(2)
    void eachShellSeesTheOthersNodesOnlyWherePermissionsAllow() throws Exception
    {
        final int alpha = domids.get("alpha");
        final int beta = domids.get("beta");
        final String node = "/local/domain/" + alpha + "/data/greeting";
        dist.shell("alpha", "xs:write data/greeting hello-from-alpha");
        assertTrue(dist.shell("beta", "xs:read " + node).contains("EACCES"), "beta may not read it yet");

        dist.shell("alpha", "xs:perms data/greeting n" + alpha + " r" + beta);
        assertEquals("hello-from-alpha", dist.shell("beta", "xs:read " + node).trim());
        assertTrue(dist.shell("beta", "xs:write " + node + " overwritten").contains("EACCES"), "read-only for beta");
        // Permissions are per node, as in Xen: reading the node is allowed, listing its parent is not.
        assertTrue(dist.shell("beta", "xs:ls /local/domain/" + alpha + "/data").contains("EACCES"));
        final String listing = dist.shell("alpha", "xs:ls -p /local/domain/" + alpha);
        assertTrue(listing.contains("greeting = \"hello-from-alpha\"  (n" + alpha + ",r" + beta + ")"), listing);
    }

    @Test
    @Order(3)
    void theTubesFeaturesAreInstalledAndStarted() throws Exception
    {
        final String features = dist.shell("beta", "feature:list -i");
        for (final String feature : new String[] {"tubes ", "tubes-sim ", "tubes-xenstore "})
        {
            assertTrue(features.lines().anyMatch(l -> l.startsWith(feature) && l.contains("Started")), features);
        }
    }

    @Test
    @Order(4)
    void aConfigAdminChangeRebindsTheXenStoreClient() throws Exception
    {
        final String dom0Socket = dist.hostDir.resolve("xenstored/socket").toString();
        assertTrue(dist.shell("beta", "xs:ls /local/domain").contains("EACCES"), "as domain beta");
        dist.shell("beta", "config:property-set -p io.tubes.xenstore path " + dom0Socket);
        assertTrue(eventually("beta", "xs:ls /local/domain", "name = \"alpha\""), "rebound as dom0: sees every domain");
        dist.shell("beta", "config:property-set -p io.tubes.xenstore path \"\"");
        assertTrue(eventually("beta", "xs:ls /local/domain", "EACCES"), "back to beta's own socket");
    }

    /** Whether the command's output contains {@code expected} within 30 s (components rebind asynchronously). */
    private static boolean eventually(final String domain, final String command, final String expected)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            if (dist.shell(domain, command).contains(expected))
            {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Test
    @Order(5)
    void killNineOfAnInstanceReleasesItsDomainWithinASecond() throws Exception
    {
        final long pid = dist.pid("alpha");
        final long killed = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        while (dist.xenstoreLs("/local/domain").contains("name = \"alpha\""))
        {
            assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(1), "released within a second");
            Thread.sleep(20);
        }
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("alpha released " + tookMs + " ms after kill -9");
        assertFalse(dist.domains().containsKey("alpha"));
        assertTrue(dist.shell("beta", "tubes:domains").contains("1 domain(s)"));
    }

    @Test
    @Order(6)
    void aDomainInstanceNeverSpeaksToXenstoredAsDom0FromItsFirstMomentOn() throws Exception
    {
        final int dom0Before = dist.dom0ConnectionsAccepted();
        // TUBES_SIM_HOST is set for the instance, and XENSTORED_PATH in this test's environment
        // would be unset by the script: neither may make the domain dom0, not even while it joins.
        final Distribution.Result start = dist.run("bin/tubes-domain", "gamma", "start");
        assertEquals(0, start.exitCode(), start.out());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        int probes = 0;
        boolean joined = false;
        while (!joined)
        {
            assertTrue(System.nanoTime() < deadline, "gamma joined and answered within 180 s");
            final String write = dist.shell("gamma", "xs:write /local/domain/0/gamma-was-here yes");
            final String domains = dist.shell("gamma", "tubes:domains");
            if (write.isBlank() && domains.isBlank())
            {
                Thread.sleep(100); // no console yet
                continue;
            }
            probes++;
            // A write that succeeds prints nothing; refused, it names EACCES (or, before the XenStore
            // service exists, the command is not there yet).
            assertFalse(write.isBlank(), "a write to dom0's home is refused at every moment (" + probes + ")");
            joined = domains.contains("this domain: domain");
        }
        final String ls = dist.shell("gamma", "xs:ls /local/domain");
        assertTrue(ls.contains("EACCES"), "listing every domain is refused, as on Xen: " + ls);
        assertEquals(dom0Before, dist.dom0ConnectionsAccepted(),
            "xenstored accepted no dom0 connection while gamma booted and joined (" + probes + " probes)");
        assertFalse(dist.xenstoreLs("/local/domain/0").contains("gamma-was-here"));
    }
}
