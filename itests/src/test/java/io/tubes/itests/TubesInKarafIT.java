package io.tubes.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import io.tubes.driver.XenDriver;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEngines;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeService;
import io.tubes.tube.TubeWriter;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * Inside the built Tubes distribution (Pax Exam boots the tar.gz itself): the instance runs the
 * simulated host and is a domain of it. The bundles are active, the services answer as that domain,
 * the shell prints what another domain wrote, and a Config Admin change rebinds the XenStore client.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TubesInKarafIT
{
    @Inject
    BundleContext context;

    @Inject
    XenDriver driver;

    @Inject
    XenStore xs;

    @Inject
    SessionFactory sessions;

    @Inject
    TubeService tubes;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException
    {
        return ExamDistribution.hostAndDomain("exam");
    }

    @Test
    public void theBundlesAreActiveAndTheServicesAnswerAsThisDomain() throws Exception
    {
        for (final String name : List.of("io.tubes.api", "io.tubes.xenstore.client", "io.tubes.xenstored",
            "io.tubes.sim.protocol", "io.tubes.simhost", "io.tubes.driver.sim", "io.tubes.ring", "io.tubes.handshake",
            "io.tubes.registry", "io.tubes.shell"))
        {
            final Bundle bundle = List.of(context.getBundles()).stream()
                .filter(b -> name.equals(b.getSymbolicName())).findFirst().orElseThrow();
            assertEquals(name + " is active", Bundle.ACTIVE, bundle.getState());
        }
        assertEquals("exam", xs.readString("name"));
        assertEquals(Integer.toString(driver.domid()), xs.readString("domid"));
        assertTrue(driver.description(), driver.description().contains(System.getProperty("tubes.exam.host.dir")));
        assertEquals("the tube service is this domain's", driver.domid(), tubes.domid());
        assertEquals("exam", tubes.name());
        assertTrue("this domain takes knocks", xs.exists("data/tip"));
    }

    @Test
    public void everyTubesBundleThatRunsExportsItsApiAndNothingElse()
    {
        final Map<String, Set<String>> exported = new TreeMap<>();
        for (final Bundle bundle : context.getBundles())
        {
            if (ApiPackages.BY_BUNDLE.containsKey(bundle.getSymbolicName()))
            {
                final Set<String> packages = new TreeSet<>();
                for (final BundleCapability export : bundle.adapt(BundleRevision.class)
                    .getDeclaredCapabilities(BundleRevision.PACKAGE_NAMESPACE))
                {
                    packages.add((String) export.getAttributes().get(BundleRevision.PACKAGE_NAMESPACE));
                }
                exported.put(bundle.getSymbolicName(), packages);
            }
        }
        final Map<String, Set<String>> running = new TreeMap<>(ApiPackages.BY_BUNDLE);
        running.keySet().removeAll(ApiPackages.NOT_STARTED);
        assertEquals(running, exported);
    }

    @Test
    public void theShellPrintsWhatAnotherDomainWrote() throws Exception
    {
        final HostLayout layout = new HostLayout(ExamDistribution.hostDir());
        try (SimXenDriver other = SimXenDriver.join(layout, "other");
             XenStoreConnection asOther = XenStoreClients.connect(XenStoreAddress.of(Path.of(other.xenstorePath()))))
        {
            asOther.write("data/note", "written-by-other");
            final String node = "/local/domain/" + other.domid() + "/data/note";
            assertTrue(shell("xs:read " + node).contains("EACCES"));
            asOther.setPermissions("data/note", List.of(new Permission(other.domid(), Permission.Access.NONE),
                new Permission(driver.domid(), Permission.Access.READ)));
            assertEquals("written-by-other", shell("xs:read " + node).trim());
            assertTrue(shell("tubes:domains").contains(" other pid "));
        }
    }

    @Test
    public void theTubeServiceOpensATubeToAnotherDomainAndItCarriesPacketsBothWays() throws Exception
    {
        final HostLayout layout = new HostLayout(ExamDistribution.hostDir());
        try (SimXenDriver other = SimXenDriver.join(layout, "peer");
             XenStoreConnection asOther = XenStoreClients.connect(XenStoreAddress.of(Path.of(other.xenstorePath())));
             TubeEngine peer = TubeEngines.start(asOther, other))
        {
            final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return peer.accept(AcceptOptions.from("exam"));
                }
                catch (final Exception e)
                {
                    throw new CompletionException(e);
                }
            });
            final Tube tube = tubes.open(TubeOptions.to("peer"));
            final Tube tip = accepted.get(10, TimeUnit.SECONDS);
            assertEquals("exam>peer/0", tube.id().toString());
            assertEquals(List.of(tube), tubes.tubes());
            assertEquals("from karaf", carry(tube, tip, "from karaf"));
            assertEquals("to karaf", carry(tip, tube, "to karaf"));
            tube.close();
            assertEquals("closed by this side", tube.closed().toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertTrue("the service holds no tube any more", tubes.tubes().isEmpty());
        }
    }

    /** Sends {@code text} from one end and returns what the other received. */
    private static String carry(final Tube from, final Tube to, final String text) throws Exception
    {
        try (TubeWriter out = from.writer(); TubeReader in = to.reader())
        {
            out.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            final ByteBuffer received = ByteBuffer.allocate(64);
            final int length = in.receive(received, 10, TimeUnit.SECONDS);
            return new String(received.array(), 0, Math.max(length, 0), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void xsCommandsWriteWatchRemoveAndExplainThemselves() throws Exception
    {
        assertTrue(shell("xs:ls --help").contains("Lists the XenStore tree below a path, as xenstore-ls does"));
        shell("xs:write data/shell/a 1 data/shell/b 2");
        final String listing = shell("xs:ls data/shell");
        assertTrue(listing, listing.contains("a = \"1\"") && listing.contains("b = \"2\""));
        assertEquals("data/shell", shell("xs:watch -n 1 data/shell").trim());
        shell("xs:rm data/shell/a");
        assertTrue(shell("xs:read data/shell/a").contains("ENOENT"));
        assertTrue(shell("xs:write data/odd").contains("has no value"));
    }

    @Test
    public void aConfigAdminChangeRebindsTheXenStoreClient() throws Exception
    {
        final String dom0Socket = ExamDistribution.hostDir().resolve("xenstored").resolve("socket").toString();
        final org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("io.tubes.xenstore", null);
        final Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("path", dom0Socket);
        config.update(properties);
        try
        {
            assertTrue("rebound as dom0: it may list every domain", eventually(() ->
                current().directory("/local/domain").contains(Integer.toString(driver.domid()))));
        }
        finally
        {
            properties.put("path", "");
            config.update(properties);
        }
        assertTrue("back to this domain's own socket", eventually(() ->
        {
            try
            {
                current().directory("/local/domain");
                return false;
            }
            catch (final XenStoreException e)
            {
                return e.getMessage().contains("EACCES");
            }
        }));
        // The components that use XenStore (the registry's TubeService) rebind after it; the other tests use them.
        long serviceId = -1;
        for (int stableFor = 0; stableFor < 10; stableFor++)
        {
            final ServiceReference<TubeService> current = context.getServiceReference(TubeService.class);
            final long now = current == null ? -1 : (Long) current.getProperty("service.id");
            if (now != serviceId)
            {
                serviceId = now;
                stableFor = 0;
            }
            Thread.sleep(100);
        }
    }

    /** A check that may fail while components rebind. */
    private interface Check
    {
        boolean holds() throws Exception;
    }

    private static boolean eventually(final Check check) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            try
            {
                if (check.holds())
                {
                    return true;
                }
            }
            catch (final Exception e)
            {
                // not yet rebound
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The XenStore service registered now (a configuration change replaces it). */
    private XenStore current() throws InterruptedException
    {
        final ServiceTracker<XenStore, XenStore> tracker = new ServiceTracker<>(context, XenStore.class, null);
        tracker.open();
        try
        {
            return tracker.waitForService(10_000);
        }
        finally
        {
            tracker.close();
        }
    }

    private String shell(final String command) throws Exception
    {
        return ExamDistribution.shell(sessions, command);
    }
}
