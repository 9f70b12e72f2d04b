package io.tubes.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.GrantTable;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubePaths;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeWriter;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * The handshake's rules between domains of a simulated host: the seed's steps in its order, as dom0
 * sees them; a third domain that can neither read, change nor hijack a pair's tube; garbage from a
 * peer that fails one tube with a clear error and leaves nothing; quotas; many tubes.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandshakeRulesIT
{
    @TempDir
    Path dir;
    private SimDomains host;
    private SimDomains.Domain web;
    private SimDomains.Domain db;

    @BeforeEach
    void twoDomains() throws Exception
    {
        host = new SimDomains(dir);
        web = host.join("web");
        db = host.join("db");
    }

    @AfterEach
    void stop() throws Exception
    {
        host.close();
    }

    /** What dom0 saw of one tube's nodes at one moment, read in one transaction. */
    private record Snapshot(Map<String, String> nodes)
    {
        String get(final String node)
        {
            return nodes.get(node);
        }
    }

    @Test
    void dom0SeesTheSeedsStepsInTheSeedsOrderAndTheTipsOfferInOneTransaction() throws Exception
    {
        final TubePaths paths = new TubePaths(web.domid(), db.domid(), 0);
        final String nock = paths.nockDir() + "/";
        final String tip = paths.tipDir() + "/";
        final List<String> nodes = List.of(nock + "tip", nock + "mode", nock + "state", tip + "nock",
            tip + "state", tip + "tx-ring-ref", tip + "rx-ring-ref", tip + "event-channel");
        final List<Snapshot> seen = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        try (Watch watch = host.dom0.watch("/local/domain", path ->
        {
            events.add(path);
            try
            {
                seen.add(host.dom0.transaction(t ->
                {
                    final Map<String, String> values = new LinkedHashMap<>();
                    for (final String node : nodes)
                    {
                        t.tryRead(node).ifPresent(value -> values.put(node, value));
                    }
                    return new Snapshot(values);
                }));
            }
            catch (final XenStoreException e)
            {
                throw new IllegalStateException(e);
            }
        }))
        {
            final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db));
            final Tube opened = web.tubes().open(TubeOptions.to("db").withMode(TubeMode.STREAM));
            final Tube accepting = accepted.get(10, TimeUnit.SECONDS);
            opened.close();
            accepting.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            // The watch's events come after the changes, and each takes a transaction here: wait until they stop.
            int count = -1;
            while (count != seen.size())
            {
                count = seen.size();
                Thread.sleep(300);
            }
        }
        final List<String> nockStates = new ArrayList<>();
        final List<String> tipStates = new ArrayList<>();
        for (final Snapshot s : seen)
        {
            if (s.get(nock + "state") != null)
            {
                assertEquals(paths.tipDir(), s.get(nock + "tip"), "the nock names the tip's dir from the start: " + s);
                assertEquals("stream", s.get(nock + "mode"), s.toString());
            }
            if (s.get(tip + "nock") != null)
            {
                assertEquals(paths.nockDir(), s.get(tip + "nock"));
                assertTrue(s.get(nock + "state") != null, "the knock comes after the nock's state: " + s);
            }
            final boolean offered = s.get(tip + "tx-ring-ref") != null;
            assertEquals(offered, s.get(tip + "rx-ring-ref") != null, "both refs land together: " + s);
            assertEquals(offered, s.get(tip + "event-channel") != null, "the refs and the port land together: " + s);
            if (offered)
            {
                assertTrue(Integer.parseInt(s.get(tip + "state")) >= 3, "the refs land with state 3: " + s);
            }
            if ("4".equals(s.get(nock + "state")))
            {
                assertTrue(offered, "the nock connects on the tip's offer: " + s);
            }
            if ("4".equals(s.get(tip + "state")))
            {
                assertTrue(Integer.parseInt(s.get(nock + "state")) >= 4, "the tip connects after the nock: " + s);
            }
            addChange(nockStates, s.get(nock + "state"));
            addChange(tipStates, s.get(tip + "state"));
        }
        // xenstored fires one event per change, in order: a write, a node's new permissions (the tip sets
        // them on each node it writes, in the same transaction: one step), a removal (on the removed
        // directory alone).
        final List<String> writes = new ArrayList<>();
        for (final String path : events)
        {
            if (nodes.contains(path) && (writes.isEmpty() || !writes.get(writes.size() - 1).equals(path)))
            {
                writes.add(path);
            }
        }
        assertEquals(3, writes.stream().filter((nock + "state")::equals).count(), "nock writes 2, 4, 5: " + writes);
        assertEquals(4, writes.stream().filter((tip + "state")::equals).count(), "tip writes 1, 3, 4, 6: " + writes);
        assertEquals(List.of(nock + "tip", nock + "mode", nock + "state", tip + "nock", tip + "state"),
            writes.subList(0, 5), "the nock's directory, then the knock, then the tip's 1");
        final int offer = writes.indexOf(tip + "tx-ring-ref");
        assertEquals(List.of(tip + "tx-ring-ref", tip + "rx-ring-ref", tip + "event-channel", tip + "state"),
            writes.subList(offer, offer + 4), "the tip's offer lands as one transaction: " + writes);
        assertEquals(nock + "state", writes.get(offer + 4), "then the nock's 4: " + writes);
        assertEquals(tip + "state", writes.get(offer + 5), "then the tip's 4: " + writes);
        assertTrue(isInOrder(nockStates, List.of("2", "4", "5")), "the nock's states: " + nockStates);
        assertTrue(isInOrder(tipStates, List.of("1", "3", "4", "6")), "the tip's states: " + tipStates);
    }

    @Test
    void aThirdDomainCanNeitherReadNorChangeNorRemoveNorHijackATube() throws Exception
    {
        final SimDomains.Domain evil = host.join("evil");
        final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db));
        final Tube nock = web.tubes().open(TubeOptions.to("db"));
        final Tube tip = accepted.get(10, TimeUnit.SECONDS);
        final TubePaths paths = nock.paths();
        for (final String node : List.of(paths.nockDir() + "/state", paths.tipDir() + "/state",
            paths.tipDir() + "/tx-ring-ref", paths.tipDir()))
        {
            refused(() -> evil.xs().read(node), "read " + node);
            refused(() -> evil.xs().write(node, "5"), "write " + node);
            refused(() -> evil.xs().rm(node), "remove " + node);
        }
        // Knocks as web, in web's directory of db's knocks: not evil's to write.
        refused(() -> evil.xs().write(TubePaths.knocks(db.domid()) + "/" + web.domid() + "/7/nock",
            new TubePaths(web.domid(), db.domid(), 7).nockDir()), "knock as web");
        // A knock of its own that names another domain's nock directory, and one that is garbage.
        evil.xs().write(TubePaths.knocks(db.domid()) + "/" + evil.domid() + "/0/nock", paths.nockDir());
        evil.xs().write(TubePaths.knocks(db.domid()) + "/" + evil.domid() + "/1/nock", "\u0001garbage");

        try (TubeWriter out = nock.writer(); TubeReader in = tip.reader())
        {
            out.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(3, in.receive(ByteBuffer.allocate(16)), "the pair's tube works on");
        }
        final TubeException none = assertThrows(TubeException.class, () -> db.tubes().accept(AcceptOptions.any()
            .withTimeout(Duration.ofMillis(500))));
        assertTrue(none.getMessage().startsWith("no tube connected to db within 500 ms"), none.getMessage());
        nock.close();
        tip.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(new GrantTable.Counts(0, 0, 0), db.counts());
    }

    @Test
    void aThirdDomainThatTakesAPeersKnockDirectoryFirstFailsTheOpenInItsTimeSayingSoAndLeavesNothing() throws Exception
    {
        final SimDomains.Domain evil = host.join("evil");
        final List<String> before = host.dataNodes();
        final String squatted = TubePaths.knocks(db.domid()) + "/" + web.domid();
        evil.xs().mkdir(squatted);
        evil.xs().setPermissions(squatted, List.of(new Permission(evil.domid(), Permission.Access.NONE)));
        final TubeException failed = assertThrows(TubeException.class,
            () -> web.tubes().open(TubeOptions.to("db").withOpenTimeout(Duration.ofMillis(500))));
        assertEquals("peer domain " + db.domid() + " (db) did not take the knock for tube web>db/0 within 500 ms: this"
            + " domain may not write in " + squatted + " (the peer does not take knocks, or another domain holds that"
            + " directory)", failed.getMessage());
        evil.xs().rm(squatted);
        assertEquals(before, host.dataNodes());
    }

    @Test
    void garbageFromATipFailsTheOpenWithWhatWasWrongAndLeavesNothing() throws Exception
    {
        final List<String> before = host.dataNodes();
        for (final Map.Entry<String, String> garbage : Map.of(
            "tx-ring-ref", "tx-ring-ref is 'twelve', not a number",
            "event-channel", "event-channel is '-1', not a number",
            "state", "a tube's state node holds 1 to 6, not '9'",
            "rx-ring-ref", "cannot map the rings domain").entrySet())
        {
            final SimDomains.Domain bad = host.join("bad-" + garbage.getKey());
            final CompletableFuture<Void> answer = CompletableFuture.runAsync(() -> answerWithGarbage(bad, web,
                garbage.getKey()));
            final TubeException failed = assertThrows(TubeException.class,
                () -> web.tubes().open(TubeOptions.to(bad.name()).withOpenTimeout(Duration.ofSeconds(5))));
            assertTrue(failed.getMessage().contains(garbage.getValue()), failed.getMessage());
            answer.get(5, TimeUnit.SECONDS);
            assertEquals(new GrantTable.Counts(0, 0, 0), web.counts(), "nothing mapped, no port");
        }
        assertTrue(host.dataNodes().containsAll(before));
        assertTrue(host.dataNodes().stream().noneMatch(n -> n.startsWith("/local/domain/" + web.domid()
            + "/data/nock/")), "web's nock directories are gone: " + host.dataNodes());
    }

    @Test
    void aNockThatAsksForAModeThatDoesNotExistIsRefusedAndToldWhyInTheErrorNode() throws Exception
    {
        final SimDomains.Domain bad = host.join("bad");
        bad.tubes().close(); // this domain knocks by hand
        final TubePaths paths = new TubePaths(bad.domid(), db.domid(), 0);
        final List<Permission> pair = List.of(new Permission(bad.domid(), Permission.Access.NONE),
            new Permission(db.domid(), Permission.Access.READ));
        bad.xs().transaction(t ->
        {
            t.mkdir(paths.nockDir());
            t.setPermissions(paths.nockDir(), pair);
            t.write(paths.nockDir() + "/tip", paths.tipDir());
            t.write(paths.nockDir() + "/mode", "bogus");
            t.write(paths.nockDir() + "/state", "2");
            return null;
        });
        bad.xs().transaction(t ->
        {
            t.mkdir(paths.tipDir());
            t.setPermissions(TubePaths.knocks(db.domid()) + "/" + bad.domid(), List.of(new Permission(bad.domid(),
                Permission.Access.NONE), new Permission(db.domid(), Permission.Access.BOTH)));
            t.setPermissions(paths.tipDir(), List.of(new Permission(bad.domid(), Permission.Access.NONE),
                new Permission(db.domid(), Permission.Access.BOTH)));
            t.write(paths.tipDir() + "/nock", paths.nockDir());
            return null;
        });
        assertThrows(TubeException.class, () -> db.tubes().accept(AcceptOptions.any()
            .withTimeout(Duration.ofMillis(500))));
        assertEquals("6", bad.xs().readString(paths.tipDir() + "/state"), "the tip closed the knock");
        assertEquals("its mode cannot be read: a tube's mode is packet or stream, not 'bogus'",
            bad.xs().readString(paths.tipDir() + "/error"));
        assertEquals(new GrantTable.Counts(0, 0, 0), db.counts(), "the tip allocated nothing for it");
    }

    /** A tip that answers web's knock with its refs, port and state 3, one of them garbage. */
    private static void answerWithGarbage(final SimDomains.Domain bad, final SimDomains.Domain web, final String node)
    {
        try
        {
            bad.tubes().close(); // this domain's own engine would answer properly
            final String dir = new TubePaths(web.domid(), bad.domid(), 0).tipDir();
            waitFor(() -> bad.xs().exists(dir + "/nock"));
            final Map<String, String> values = new LinkedHashMap<>(Map.of("tx-ring-ref", "12", "rx-ring-ref", "13",
                "event-channel", "1"));
            values.put(node, "tx-ring-ref".equals(node) ? "twelve" : "event-channel".equals(node) ? "-1" : "9");
            if (!values.containsKey("state"))
            {
                values.put("state", "3");
            }
            final List<Permission> readable = List.of(new Permission(bad.domid(), Permission.Access.NONE),
                new Permission(web.domid(), Permission.Access.READ));
            bad.xs().transaction(t ->
            {
                for (final Map.Entry<String, String> value : values.entrySet())
                {
                    t.write(dir + "/" + value.getKey(), value.getValue());
                    t.setPermissions(dir + "/" + value.getKey(), readable);
                }
                return null;
            });
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFullNodeQuotaFailsTheOpenNamingTheQuotaAndLeavesNothing() throws Exception
    {
        final String junk = "/local/domain/" + web.domid() + "/junk";
        int written = 0;
        try
        {
            while (written < 2000)
            {
                // A hundred to a directory: a directory's record (its children's names) has a size quota too.
                web.xs().write(junk + "/" + written / 100 + "/" + written % 100, "x");
                written++;
            }
        }
        catch (final XenStoreException e)
        {
            assertTrue(e.is(XenStoreError.ENOSPC), e.getMessage());
        }
        assertTrue(written > 900, "the node quota, not another, was reached: " + written);
        web.xs().rm(junk + "/0/0"); // room for a node, not for a tube
        final List<String> before = host.dataNodes();
        final TubeException failed = assertThrows(TubeException.class, () -> web.tubes().open(TubeOptions.to("db")));
        assertTrue(failed.getMessage().contains("XenStore's quota for this domain is reached"), failed.getMessage());
        assertEquals(before, host.dataNodes());
    }

    @Test
    void aHundredTubesEachWayBetweenOnePairThenNothingLeft() throws Exception
    {
        final List<String> before = host.dataNodes();
        final List<Tube> tubes = new ArrayList<>();
        for (final SimDomains.Domain[] pair : new SimDomains.Domain[][] {{web, db}, {db, web}})
        {
            final CompletableFuture<List<Tube>> accepted = CompletableFuture.supplyAsync(() ->
            {
                final List<Tube> tips = new ArrayList<>();
                for (int i = 0; i < 100; i++)
                {
                    tips.add(accept(pair[1]));
                }
                return tips;
            });
            for (int i = 0; i < 100; i++)
            {
                tubes.add(pair[0].tubes().open(TubeOptions.to(pair[1].name())));
            }
            tubes.addAll(accepted.get(60, TimeUnit.SECONDS));
        }
        assertEquals(400, tubes.size());
        assertEquals(200, web.tubes().tubes().size());
        assertEquals(99, tubes.get(99).index(), "each tube of a pair has its own index");
        for (final Tube tube : tubes.subList(0, 100))
        {
            try (TubeWriter out = tube.writer())
            {
                out.send(ByteBuffer.wrap(new byte[] {(byte) tube.index()}));
            }
        }
        for (final Tube tube : tubes.subList(100, 200))
        {
            try (TubeReader in = tube.reader())
            {
                final ByteBuffer got = ByteBuffer.allocate(1);
                in.receive(got);
                assertEquals((byte) tube.index(), got.get(0), "each packet came through its own tube");
            }
        }
        for (final Tube tube : tubes)
        {
            tube.close();
        }
        assertEquals(before, host.dataNodes());
        assertEquals(new GrantTable.Counts(0, 0, 0), web.counts());
        assertEquals(new GrantTable.Counts(0, 0, 0), db.counts());
    }

    @Test
    void aDomainThatStartsAgainRemovesItsEarlierRunsTubesAndItsPeersSeeThemClose() throws Exception
    {
        final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db));
        web.tubes().open(TubeOptions.to("db"));
        final Tube tip = accepted.get(10, TimeUnit.SECONDS);
        final CompletableFuture<Tube> again = CompletableFuture.supplyAsync(() -> accept(web));
        db.tubes().open(TubeOptions.to("web"));
        again.get(10, TimeUnit.SECONDS);
        // web's program dies, its domain stays: its engine and connection stop without a word; a new run cleans up.
        web.xs().close();
        try (XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(web.driver().xenstorePath())));
             TubeEngine restarted = TubeEngines.start(xs, web.driver()))
        {
            assertEquals("peer domain " + web.domid() + " (web) is gone",
                tip.closed().toCompletableFuture().get(5, TimeUnit.SECONDS));
            waitFor(() -> db.tubes().tubes().isEmpty());
            assertFalse(host.dataNodes().stream().anyMatch(n -> n.matches(".*/data/(nock|tip)/\\d+/\\d+.*")),
                "no tube node is left: " + host.dataNodes());
            assertEquals(new GrantTable.Counts(0, 0, 0), db.counts(), "db freed its ends of both tubes");
        }
    }

    @Test
    void whenEitherEndsDomainGoesWithNothingInFlightTheOtherEndClosesAtOnce() throws Exception
    {
        for (final boolean nockGoes : new boolean[] {true, false})
        {
            final SimDomains.Domain nock = host.join(nockGoes ? "doomed-nock" : "lasting-nock");
            final SimDomains.Domain tip = host.join(nockGoes ? "lasting-tip" : "doomed-tip");
            final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(tip));
            final Tube opened = nock.tubes().open(TubeOptions.to(tip.name()));
            final Tube survivor = nockGoes ? accepted.get(10, TimeUnit.SECONDS) : opened;
            final SimDomains.Domain doomed = nockGoes ? nock : tip;
            final long gone = System.nanoTime();
            doomed.driver().close();
            assertEquals("peer domain " + doomed.domid() + " (" + doomed.name() + ") is gone",
                survivor.closed().toCompletableFuture().get(5, TimeUnit.SECONDS));
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gone);
            assertTrue(tookMs < 1000, "the " + survivor.role().node() + " closed " + tookMs
                + " ms after its peer went");
        }
    }

    private static void refused(final Action action, final String what)
    {
        final XenStoreException e = assertThrows(XenStoreException.class, action::run, what);
        assertTrue(e.is(XenStoreError.EACCES), what + ": " + e.getMessage());
    }

    /** A XenStore call that should fail. */
    @FunctionalInterface
    private interface Action
    {
        void run() throws Exception;
    }

    /** Something to wait for. */
    @FunctionalInterface
    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static void waitFor(final Condition condition) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds())
        {
            assertTrue(System.nanoTime() < deadline, "waited 10 s");
            Thread.sleep(5);
        }
    }

    private static void addChange(final List<String> states, final String state)
    {
        if (state != null && (states.isEmpty() || !states.get(states.size() - 1).equals(state)))
        {
            states.add(state);
        }
    }

    /** Whether {@code seen} is {@code expected} with some steps missing (coalesced events), in order. */
    private static boolean isInOrder(final List<String> seen, final List<String> expected)
    {
        int at = 0;
        for (final String state : seen)
        {
            final int step = expected.indexOf(state);
            if (step < at)
            {
                return false;
            }
            at = step;
        }
        return true;
    }

    private static Tube accept(final SimDomains.Domain domain)
    {
        try
        {
            return domain.tubes().accept(AcceptOptions.any());
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
