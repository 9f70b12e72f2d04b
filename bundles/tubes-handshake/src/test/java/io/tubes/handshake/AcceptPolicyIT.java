package io.tubes.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;

/**
 * A domain that accepts knocks by itself, under its accept policy, and tells a listener of each
 * tube that connects and leaves Connected, before the tube is freed: what the registry of tubes as
 * services stands on.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AcceptPolicyIT
{
    @TempDir
    Path dir;
    private SimDomains host;
    private SimDomains.Domain alpha;
    private final List<String> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void host() throws Exception
    {
        host = new SimDomains(dir);
        alpha = host.join("alpha");
    }

    @AfterEach
    void stop() throws Exception
    {
        host.close();
    }

    private static AcceptPolicy from(final String peers, final int perPeer, final Set<TubeMode> modes)
    {
        return new AcceptPolicy(Set.of(peers), perPeer, 100, modes, 4096);
    }

    /** Records each event with what the tube still held when it came. */
    private SimDomains.Domain joinTelling(final String name, final AcceptPolicy policy) throws Exception
    {
        final List<SimDomains.Domain> self = new ArrayList<>();
        final SimDomains.Domain domain = host.join(name, new TubeEvents()
        {
            @Override
            public void connected(final Tube tube)
            {
                told.add("connected " + tube.id() + " as " + tube.role().node() + ", rings of " + tube.ringSize());
            }

            @Override
            public void disconnected(final Tube tube, final String reason)
            {
                try
                {
                    told.add("disconnected " + tube.id() + ": " + reason + "; freed "
                        + tube.closed().toCompletableFuture().isDone() + ", grants held "
                        + self.get(0).counts().grants());
                }
                catch (final Exception e)
                {
                    told.add("disconnected " + tube.id() + ": " + e);
                }
            }
        }, policy);
        self.add(domain);
        return domain;
    }

    @Test
    void thePolicyAcceptsAKnockByItselfAndTheListenerHearsOfTheCloseBeforeAnythingIsFreed() throws Exception
    {
        final SimDomains.Domain beta = joinTelling("beta", from("alpha", 4, EnumSet.allOf(TubeMode.class)));
        final Tube tube = alpha.tubes().open(TubeOptions.to("beta"));
        assertTrue(eventually(() -> told.size() == 1), told.toString());
        assertEquals("connected alpha>beta/0 as tip, rings of 4096", told.get(0));
        final int granted = beta.counts().grants();
        assertTrue(granted > 0, "the tip grants its rings");
        tube.close();
        assertTrue(eventually(() -> told.size() == 2), told.toString());
        assertEquals("disconnected alpha>beta/0: peer domain " + alpha.domid() + " (alpha) closed the tube; freed"
            + " false, grants held " + granted, told.get(1));
        assertTrue(eventually(() -> beta.counts().grants() == 0), "the tip ended its grants once the listener knew");
        assertEquals(List.of(), host.dataNodes().stream().filter(n -> n.contains("/data/tip/") || n.contains("/nock/"))
            .toList());
    }

    @Test
    void aKnockFromAPeerOutsideThePolicyIsRefusedAndTheNockIsToldWhy() throws Exception
    {
        joinTelling("beta", from("gamma", 4, EnumSet.allOf(TubeMode.class)));
        final TubeException refused = assertThrows(TubeException.class, () -> alpha.tubes().open(TubeOptions.to("beta")
            .withOpenTimeout(Duration.ofSeconds(5))));
        assertTrue(refused.getMessage().contains("beta refused the tube: alpha is not in its accept policy"),
            refused.getMessage());
        assertEquals(List.of(), told, "a refused knock is no tube");
    }

    @Test
    void thePolicyKeepsItsLimitsPerPeerAndItsModes() throws Exception
    {
        joinTelling("beta", from("*", 2, EnumSet.of(TubeMode.PACKET)));
        alpha.tubes().open(TubeOptions.to("beta"));
        alpha.tubes().open(TubeOptions.to("beta"));
        final TubeException third = assertThrows(TubeException.class, () -> alpha.tubes().open(TubeOptions.to("beta")));
        assertTrue(third.getMessage().contains("beta refused the tube: alpha holds 2 tubes to it already"),
            third.getMessage());
        final TubeException stream = assertThrows(TubeException.class, () -> alpha.tubes().open(TubeOptions.to("beta")
            .withMode(TubeMode.STREAM)));
        assertTrue(stream.getMessage().contains("beta refused the tube: it accepts no stream tubes"),
            stream.getMessage());
    }

    @Test
    void aKnockWaitingForAnAcceptIsTakenWhenThePolicyChanges() throws Exception
    {
        final SimDomains.Domain beta = joinTelling("beta", AcceptPolicy.NONE);
        final CompletableFuture<Tube> open = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return alpha.tubes().open(TubeOptions.to("beta").withOpenTimeout(Duration.ofSeconds(20)));
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertTrue(!open.isDone() && told.isEmpty(), "without a policy the knock waits for an accept call");
        beta.tubes().acceptPolicy(from("alpha", 1, EnumSet.allOf(TubeMode.class)));
        assertEquals("alpha>beta/0", open.get(10, TimeUnit.SECONDS).id().toString());
    }

    @Test
    void aListenerMayCloseTheTubeItIsToldOf() throws Exception
    {
        final SimDomains.Domain beta = host.join("beta", new TubeEvents()
        {
            @Override
            public void connected(final Tube tube)
            {
                tube.close();
            }

            @Override
            public void disconnected(final Tube tube, final String reason)
            {
                told.add(reason);
            }
        }, from("*", 4, EnumSet.allOf(TubeMode.class)));
        final Tube tube = alpha.tubes().open(TubeOptions.to("beta"));
        assertEquals("peer domain " + beta.domid() + " (beta) closed the tube",
            tube.closed().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(List.of("closed by this side"), told);
    }

    @Test
    void aFloodOfKnocksNobodyAcceptsIsBounded() throws Exception
    {
        host.join("beta");
        final ExecutorService knockers = Executors.newFixedThreadPool(AcceptPolicy.MAX_WAITING + 4);
        try
        {
            final List<Future<String>> opens = new ArrayList<>();
            for (int index = 0; index < AcceptPolicy.MAX_WAITING + 4; index++)
            {
                final int chosen = index;
                opens.add(knockers.submit(() ->
                {
                    try
                    {
                        alpha.tubes().open(TubeOptions.to("beta").withIndex(chosen)
                            .withOpenTimeout(Duration.ofSeconds(8)));
                        return "connected";
                    }
                    catch (final TubeException e)
                    {
                        return e.getMessage();
                    }
                }));
            }
            int refused = 0;
            for (final Future<String> open : opens)
            {
                final String outcome = open.get(30, TimeUnit.SECONDS);
                refused += outcome.contains("beta refused the tube: " + AcceptPolicy.MAX_WAITING
                    + " knocks wait for an accept already") ? 1 : 0;
            }
            assertEquals(4, refused, "knocks past " + AcceptPolicy.MAX_WAITING + " waiting are refused at once");
        }
        finally
        {
            knockers.shutdownNow();
        }
    }

    /** A condition that may throw while it does not hold yet. */
    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static boolean eventually(final Condition condition) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
