package io.tubes.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.After;
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
import org.osgi.service.cm.ConfigurationAdmin;

import io.tubes.driver.GrantTable;
import io.tubes.driver.XenDriver;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.handshake.AcceptPolicy;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEngines;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeWriter;
import io.tubes.tube.runtime.TubeDTO;
import io.tubes.tube.runtime.TubeRuntime;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * In the built distribution, the registry publishes each connected tube of this domain ("exam")
 * as a {@code Tube} service and withdraws it when the tube closes for any reason; declared tubes
 * are kept open; the accept policy refuses whom it names; the tube:* commands work on real tubes.
 * The peers are other domains of the same simulated host: joined from this process, or
 * {@code bin/tubes} processes that are killed with -9.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TubeRegistryIT
{
    @Inject
    BundleContext context;

    @Inject
    TubeRuntime runtime;

    @Inject
    XenDriver driver;

    @Inject
    XenStore xs;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    SessionFactory sessions;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final List<Process> started = new ArrayList<>();

    @Configuration
    public Option[] config() throws IOException
    {
        return ExamDistribution.hostAndDomain("exam");
    }

    @After
    public void cleanUp() throws Exception
    {
        started.forEach(Process::destroyForcibly);
        while (!opened.isEmpty())
        {
            opened.pop().close();
        }
    }

    /** A domain joined from this process, with its tube engine: it accepts every knock. */
    private record Peer(SimXenDriver driver, XenStoreConnection xs, TubeEngine tubes)
    {
    }

    private Peer join(final String name) throws Exception
    {
        final SimXenDriver peerDriver = SimXenDriver.join(new HostLayout(ExamDistribution.hostDir()), name);
        opened.push(peerDriver);
        final XenStoreConnection peerXs =
            XenStoreClients.connect(XenStoreAddress.of(Path.of(peerDriver.xenstorePath())));
        opened.push(peerXs);
        final TubeEngine engine = TubeEngines.start(peerXs, peerDriver, null, new AcceptPolicy(Set.of("*"), 200, 200,
            Set.of(TubeMode.PACKET, TubeMode.STREAM), AcceptOptions.DEFAULT_RING_SIZE));
        opened.push(engine);
        return new Peer(peerDriver, peerXs, engine);
    }

    @Test
    public void aTubeAPeerOpensIsAServiceWithItsPropertiesUntilThePeerClosesIt() throws Exception
    {
        final Peer peer = join("opener");
        final Tube tube = peer.tubes().open(TubeOptions.to("exam"));
        final ServiceReference<Tube> service = awaitService("(tube.peer.name=opener)");
        assertEquals("opener>exam/0", service.getProperty("tube.id"));
        assertEquals(peer.driver().domid(), service.getProperty("tube.peer"));
        assertEquals(0, service.getProperty("tube.index"));
        assertEquals("tip", service.getProperty("tube.role"));
        assertEquals("packet", service.getProperty("tube.mode"));
        final Tube exam = context.getService(service);
        try (TubeWriter out = tube.writer(); TubeReader in = exam.reader())
        {
            out.send(ByteBuffer.wrap("through the service".getBytes(StandardCharsets.UTF_8)));
            final ByteBuffer received = ByteBuffer.allocate(64);
            final int length = in.receive(received, 10, TimeUnit.SECONDS);
            assertEquals("through the service", new String(received.array(), 0, length, StandardCharsets.UTF_8));
        }
        context.ungetService(service);
        tube.close();
        awaitNoService("(tube.peer.name=opener)", 1_000);
        final TubeDTO closed = runtime.tube("opener>exam/0").orElseThrow();
        assertEquals("peer domain " + peer.driver().domid() + " (opener) closed the tube", closed.closeReason);
    }

    @Test
    public void theShellOpensSendsReceivesShowsAndClosesATube() throws Exception
    {
        final Peer peer = join("shellpeer");
        assertTrue(shell("tube:open --help").contains("Opens a tube to PEER"));
        final String opened = shell("tube:open --index 3 shellpeer");
        assertTrue(opened, opened.contains("tube exam>shellpeer/3 connected")
            && opened.contains("tube:close shellpeer/3"));
        final Tube tip = peer.tubes().tubes().get(0);
        final String list = shell("tube:list");
        assertTrue(list, list.contains("exam>shellpeer/3") && list.contains("nock") && list.contains("CONNECTED"));
        assertTrue(shell("tube:send shellpeer/3 hello tip").contains("sent 9 bytes"));
        final ByteBuffer received = ByteBuffer.allocate(64);
        try (TubeReader in = tip.reader())
        {
            final int length = in.receive(received, 10, TimeUnit.SECONDS);
            assertEquals("hello tip", new String(received.array(), 0, length, StandardCharsets.UTF_8));
        }
        try (TubeWriter out = tip.writer())
        {
            out.send(ByteBuffer.wrap("hello nock".getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals("hello nock", shell("tube:recv shellpeer/3").trim());
        final String stat = shell("tube:stat \"exam>shellpeer/3\"");
        assertTrue(stat, stat.contains("tx-ring-ref ") && stat.contains("1 packets, 9 B")
            && stat.contains("Tube service "));
        final String closed = shell("tube:close shellpeer/3");
        assertTrue(closed, closed.contains("tube exam>shellpeer/3 closed: closed by this side"));
        awaitNoService("(tube.id=exam>shellpeer/3)", 1_000);
        assertTrue(shell("tube:stat shellpeer/3").contains("closed by this side"));
        assertTrue(shell("tube:close shellpeer/3").contains("no tube shellpeer/3 is connected"));
        assertTrue(shell("tube:open --timeout 1 nobody").contains("no domain named 'nobody'"));
    }

    @Test
    public void killingThePeerWithdrawsItsTubesServiceWithinASecond() throws Exception
    {
        final Process victim = tubesCommand("open", "exam", "--name", "victim");
        awaitService("(tube.peer.name=victim)");
        final long killed = System.nanoTime();
        victim.destroyForcibly();
        awaitNoService("(tube.peer.name=victim)", 1_000);
        System.out.printf("the service went %d ms after kill -9 of the peer%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        assertTrue(runtime.tube("victim>exam/0").orElseThrow().closeReason.contains("(victim) is gone"));
    }

    @Test
    public void aDeclaredTubeOpensWhenItsPeerComesAgainWhenItReturnsAndFollowsItsConfiguration() throws Exception
    {
        final org.osgi.service.cm.Configuration declared = configAdmin.getFactoryConfiguration("io.tubes.tube",
            "declared", null);
        final Dictionary<String, Object> settings = new Hashtable<>();
        settings.put("peer", "declared");
        settings.put("index", 0);
        declared.update(settings);
        try
        {
            Peer peer = join("declared");
            awaitService("(tube.id=exam>declared/0)");
            peer.driver().close(); // the domain goes; its engine finds out with the rest
            awaitNoService("(tube.id=exam>declared/0)", 1_000);
            final long back = System.nanoTime();
            peer = join("declared");
            awaitService("(tube.id=exam>declared/0)");
            final long reconnectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
            System.out.printf("the declared tube's service was back %d ms after its peer joined%n", reconnectMillis);
            assertTrue("back within a second: " + reconnectMillis + " ms", reconnectMillis < 1_000);
            settings.put("index", 1);
            declared.update(settings);
            awaitService("(tube.id=exam>declared/1)");
            awaitNoService("(tube.id=exam>declared/0)", 5_000);
        }
        finally
        {
            declared.delete();
        }
        awaitNoService("(tube.peer.name=declared)", 5_000);
    }

    @Test
    public void aKnockTheAcceptPolicyRefusesTellsTheNockWhy() throws Exception
    {
        final org.osgi.service.cm.Configuration policy = configAdmin.getConfiguration("io.tubes.accept", null);
        final Dictionary<String, Object> before = policy.getProperties();
        final Dictionary<String, Object> onlyFriend = new Hashtable<>();
        onlyFriend.put("peers", "friend");
        policy.update(onlyFriend);
        try
        {
            final Peer stranger = join("stranger");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true)
            {
                try
                {
                    stranger.tubes().open(TubeOptions.to("exam").withOpenTimeout(Duration.ofSeconds(5))).close();
                }
                catch (final TubeException e)
                {
                    if (e.getMessage().contains("exam refused the tube: stranger is not in its accept policy"))
                    {
                        break;
                    }
                    throw e;
                }
                if (System.nanoTime() > deadline)
                {
                    fail("the policy was not applied within 10 s");
                }
                Thread.sleep(100); // the configuration reaches the component asynchronously
            }
        }
        finally
        {
            policy.update(before);
        }
    }

    @Test
    public void theExampleEchoConsumerAnswersOnlyTheTubesItsTargetNames() throws Exception
    {
        final org.osgi.service.cm.Configuration echo = configAdmin.getConfiguration("io.tubes.example.echo", null);
        final Dictionary<String, Object> target = new Hashtable<>();
        target.put("Tube.target", "(tube.peer.name=echoed)");
        echo.update(target);
        final Peer echoed = join("echoed");
        final Peer ignored = join("ignored");
        final Bundle example = context.installBundle(exampleJar().toUri().toString());
        try
        {
            example.start();
            final Tube answered = echoed.tubes().open(TubeOptions.to("exam"));
            final Tube unanswered = ignored.tubes().open(TubeOptions.to("exam"));
            assertEquals("ping", roundTrip(answered, "ping", 10));
            assertEquals("the consumer binds only the tube its target names", "", roundTrip(unanswered, "ping", 1));
        }
        finally
        {
            example.uninstall();
            echo.delete();
        }
    }

    /** The example consumer's jar, in the distribution's system/ repository. */
    private static Path exampleJar() throws IOException
    {
        final Path dir = Path.of(System.getProperty("karaf.home"), "system", "io", "tubes", "tubes-example-echo");
        try (var jars = Files.walk(dir))
        {
            return jars.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
    }

    /** Sends {@code text} and returns what comes back within {@code seconds} ("" if nothing). */
    private static String roundTrip(final Tube tube, final String text, final long seconds) throws Exception
    {
        try (TubeWriter out = tube.writer(); TubeReader in = tube.reader())
        {
            out.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            final ByteBuffer back = ByteBuffer.allocate(64);
            final int length = in.receive(back, seconds, TimeUnit.SECONDS);
            return length < 0 ? "" : new String(back.array(), 0, length, StandardCharsets.UTF_8);
        }
    }

    @Test
    public void aHundredTubesFromOnePeerAreAHundredServicesAndAllGoWhenItsDomainGoes() throws Exception
    {
        final Peer peer = join("hundred");
        for (int index = 0; index < 100; index++)
        {
            peer.tubes().open(TubeOptions.to("exam").withIndex(index));
        }
        assertTrue("100 services", eventually(() -> services("(tube.peer.name=hundred)") == 100, 10_000));
        peer.driver().close();
        assertTrue("all gone", eventually(() -> services("(tube.peer.name=hundred)") == 0, 2_000));
    }

    @Test
    public void aThousandCyclesOfConnectAndVanishLeaveEveryCountAtItsBaseline() throws Exception
    {
        final Peer peer = join("cycles");
        final Tube warmUp = peer.tubes().open(TubeOptions.to("exam"));
        awaitService("(tube.peer.name=cycles)");
        warmUp.close();
        awaitNoService("(tube.peer.name=cycles)", 1_000);
        final List<Object> baseline = counts();
        for (int cycle = 0; cycle < 1_000; cycle++)
        {
            final Tube tube = peer.tubes().open(TubeOptions.to("exam"));
            awaitService("(tube.peer.name=cycles)");
            tube.close();
            awaitNoService("(tube.peer.name=cycles)", 1_000);
        }
        assertTrue("back at " + baseline + ", now " + counts(), eventually(() -> counts().equals(baseline), 5_000));
    }

    /** Services, Tubes threads, grants, mappings, ports, this domain's data nodes and file descriptors. */
    private List<Object> counts() throws Exception
    {
        final GrantTable.Counts held = driver.grantTable().counts();
        final long threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("tubes-")).count();
        final String[] fds = new File("/proc/self/fd").list();
        return List.of(services(null), threads, held.grants(), held.mappings(), held.ports(), nodes("data"),
            fds == null ? -1 : fds.length);
    }

    private int nodes(final String path) throws Exception
    {
        int count = 1;
        for (final String child : xs.directory(path))
        {
            count += nodes(path + "/" + child);
        }
        return count;
    }

    /** Starts {@code bin/tubes} of this distribution as another domain, its input held open. */
    private Process tubesCommand(final String... args) throws IOException
    {
        final Path home = Path.of(System.getProperty("karaf.home"));
        final List<String> line = new ArrayList<>(List.of(home.resolve("bin/tubes").toString()));
        line.addAll(List.of(args));
        line.addAll(List.of("--host-dir", ExamDistribution.hostDir().toString()));
        final Path log = Files.createTempFile(home, "tubes-command", ".log");
        final Process process = new ProcessBuilder(line).directory(home.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        started.add(process);
        return process;
    }

    private int services(final String filter) throws Exception
    {
        final ServiceReference<?>[] found = context.getServiceReferences(Tube.class.getName(), filter);
        return found == null ? 0 : found.length;
    }

    private ServiceReference<Tube> awaitService(final String filter) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            final var found = context.getServiceReferences(Tube.class, filter);
            if (!found.isEmpty())
            {
                return found.iterator().next();
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no Tube service " + filter + " within 30 s; tubes: " + shell("tube:list"));
    }

    private void awaitNoService(final String filter, final long millis) throws Exception
    {
        if (!eventually(() -> services(filter) == 0, millis))
        {
            throw new AssertionError("the Tube service " + filter + " is still there after " + millis + " ms");
        }
    }

    /** A check that may throw while it does not hold yet. */
    private interface Check
    {
        boolean holds() throws Exception;
    }

    private static boolean eventually(final Check check, final long millis) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!check.holds())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private String shell(final String command) throws Exception
    {
        return ExamDistribution.shell(sessions, command);
    }
}
