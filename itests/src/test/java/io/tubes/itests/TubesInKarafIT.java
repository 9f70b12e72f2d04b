package io.tubes.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
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
    private static final String KARAF = "4.4.10";

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
        final String hostDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "exam-host").toString();
        final List<Option> options = new ArrayList<>(List.of(
            karafDistributionConfiguration()
                .frameworkUrl(new File(System.getProperty("tubes.distribution.archive")).toURI().toString())
                .name("Tubes").unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
            editConfigurationFilePut("etc/system.properties", "tubes.ssh.port", Integer.toString(freePort())),
            editConfigurationFilePut("etc/system.properties", "tubes.exam.host.dir", hostDir),
            // This instance is the host, and a domain of it.
            editConfigurationFilePut("etc/io.tubes.simhost.cfg", "host.dir", hostDir),
            editConfigurationFilePut("etc/io.tubes.host.cfg", "host.dir", hostDir),
            editConfigurationFilePut("etc/io.tubes.host.cfg", "domain.name", "exam")));
        // Pax Exam no longer adds the module options bin/karaf uses on Java 9 and later.
        for (final String vmOption : List.of("--add-reads=java.xml=java.logging",
            "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
            "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + KARAF + ".jar",
            "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + KARAF + ".jar",
            "--add-opens", "java.base/java.security=ALL-UNNAMED", "--add-opens", "java.base/java.net=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
            "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
            "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
            "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"))
        {
            options.add(new VMOption(vmOption));
        }
        return options(options.toArray(new Option[0]));
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    public void theBundlesAreActiveAndTheServicesAnswerAsThisDomain() throws Exception
    {
        for (final String name : List.of("io.tubes.api", "io.tubes.xenstore.client", "io.tubes.xenstored",
            "io.tubes.sim.protocol", "io.tubes.simhost", "io.tubes.driver.sim", "io.tubes.ring", "io.tubes.handshake",
            "io.tubes.shell"))
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
        running.remove(ApiPackages.COMMAND_LINE);
        assertEquals(running, exported);
    }

    @Test
    public void theShellPrintsWhatAnotherDomainWrote() throws Exception
    {
        final HostLayout layout = new HostLayout(Path.of(System.getProperty("tubes.exam.host.dir")));
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
        final HostLayout layout = new HostLayout(Path.of(System.getProperty("tubes.exam.host.dir")));
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
        final String dom0Socket = Path.of(System.getProperty("tubes.exam.host.dir"), "xenstored", "socket").toString();
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

    /** Runs a shell command as a console user would, and returns what it printed (errors included). */
    private String shell(final String command) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            final Session session = sessions.create(System.in, out, out);
            try
            {
                final Object result = session.execute(command);
                if (result != null)
                {
                    out.println(result);
                }
            }
            catch (final Exception e)
            {
                out.println("Error executing command: " + e.getMessage());
            }
            finally
            {
                session.close();
            }
            final String printed = bytes.toString(StandardCharsets.UTF_8);
            // Commands register asynchronously, once their services are there.
            if (!printed.contains("Command not found") || System.nanoTime() > deadline)
            {
                return printed;
            }
            Thread.sleep(200);
        }
    }
}
