package io.tubes.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.GrantTable;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeClosedException;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeRole;
import io.tubes.tube.TubeState;
import io.tubes.tube.TubeWriter;

/**
 * Two domains of a simulated host open, use and close tubes through the seed's handshake: the
 * rings, ports and nodes exist while a tube does, and none is left after it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HandshakeIT
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

    @Test
    void acceptBeforeOpenThenPacketsBothWaysThenCloseByTheNock() throws Exception
    {
        final List<String> before = host.dataNodes();
        final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db, "web"));
        Thread.sleep(200);
        final Tube nock = web.tubes().open(TubeOptions.to("db"));
        final Tube tip = accepted.get(10, TimeUnit.SECONDS);

        assertEquals("web>db/0", nock.id().toString());
        assertEquals(nock.id(), tip.id());
        assertEquals(TubeRole.NOCK, nock.role());
        assertEquals(TubeRole.TIP, tip.role());
        assertEquals(db.domid(), nock.peer());
        assertEquals("web", tip.peerName());
        assertEquals(TubeState.CONNECTED, nock.state());
        assertEquals(TubeState.CONNECTED, tip.state());
        assertEquals(new GrantTable.Counts(2 + 2 * 16, 0, 1), db.counts(),
            "the tip shares both rings (a control page and 16 data pages each) and binds a port");
        assertEquals(new GrantTable.Counts(0, 2 + 2 * 16, 1), web.counts(), "the nock maps them and connects a port");

        try (TubeWriter out = nock.writer(); TubeReader in = tip.reader())
        {
            out.send(text("hello"));
            assertEquals("hello", received(in));
        }
        try (TubeWriter out = tip.writer(); TubeReader in = nock.reader())
        {
            out.send(text("and back"));
            assertEquals("and back", received(in));
        }
        assertEquals(2, nock.counters().packetsSent() + nock.counters().packetsReceived());

        nock.close();
        assertEquals("closed by this side", nock.closed().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals("peer domain " + web.domid() + " (web) closed the tube",
            tip.closed().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals(before, host.dataNodes(), "no tube node is left");
        assertEquals(new GrantTable.Counts(0, 0, 0), db.counts());
        assertEquals(new GrantTable.Counts(0, 0, 0), web.counts());
    }

    @Test
    void openBeforeAcceptAndPacketsSentBeforeTheCloseAreDelivered() throws Exception
    {
        final CompletableFuture<Tube> opened = CompletableFuture.supplyAsync(() -> open(web, TubeOptions.to("db")));
        Thread.sleep(300);
        final Tube tip = db.tubes().accept(AcceptOptions.any());
        final Tube nock = opened.get(10, TimeUnit.SECONDS);
        try (TubeWriter out = tip.writer())
        {
            for (int i = 0; i < 1000; i++)
            {
                out.send(text("packet " + i));
            }
        }
        tip.close();
        assertEquals("closed by this side", tip.closed().toCompletableFuture().get(5, TimeUnit.SECONDS),
            "the nock confirmed at once: it reads what is in the ring after the tip freed its end");
        try (TubeReader in = nock.reader())
        {
            for (int i = 0; i < 1000; i++)
            {
                assertEquals("packet " + i, received(in));
            }
            assertEquals(TubeReader.END, in.receive(ByteBuffer.allocate(64)));
        }
        assertEquals("peer domain " + db.domid() + " (db) closed the tube",
            nock.closed().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals(new GrantTable.Counts(0, 0, 0), db.counts());
        assertEquals(new GrantTable.Counts(0, 0, 0), web.counts());
    }

    @Test
    void whatANockSendsAndClosesAtOnceIsDeliveredEvenIfTheTipHadNotSeenItConnect() throws Exception
    {
        for (int i = 0; i < 50; i++)
        {
            final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db, "web"));
            try (Tube nock = web.tubes().open(TubeOptions.to("db")); TubeWriter out = nock.writer())
            {
                out.send(text("packet " + i));
            }
            final Tube tip = accepted.get(10, TimeUnit.SECONDS);
            try (TubeReader in = tip.reader())
            {
                assertEquals("packet " + i, received(in));
                assertEquals(TubeReader.END, in.receive(ByteBuffer.allocate(64)));
            }
            tip.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        assertEquals(new GrantTable.Counts(0, 0, 0), db.counts());
        assertEquals(new GrantTable.Counts(0, 0, 0), web.counts());
    }

    @Test
    void aSecondTakerIsToldWhoHoldsTheTube() throws Exception
    {
        final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db, null));
        final Tube nock = web.tubes().open(TubeOptions.to(db.domid()));
        try (TubeWriter first = nock.writer())
        {
            final TubeException second = assertThrows(TubeException.class, nock::writer);
            assertTrue(second.getMessage().contains("held by thread '" + Thread.currentThread().getName() + "'"),
                second.getMessage());
        }
        nock.writer().close(); // let go: it may be taken again
        accepted.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void aSendBlockedOnAFullRingFailsWithTheReasonWhenThePeerCloses() throws Exception
    {
        final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db, null));
        final Tube nock = web.tubes().open(TubeOptions.to("db"));
        final Tube tip = accepted.get(10, TimeUnit.SECONDS);
        final CompletableFuture<Exception> blocked = CompletableFuture.supplyAsync(() ->
        {
            try (TubeWriter out = nock.writer())
            {
                while (true)
                {
                    out.send(ByteBuffer.allocate(1000));
                }
            }
            catch (final Exception e)
            {
                return e;
            }
        });
        Thread.sleep(300);
        tip.close();
        final Exception failed = blocked.get(5, TimeUnit.SECONDS);
        assertTrue(failed instanceof TubeClosedException, failed.toString());
        assertEquals("peer domain " + db.domid() + " (db) closed the tube", failed.getMessage());
    }

    @Test
    void anOpenNobodyAcceptsTimesOutNamingThePeerThePathAndTheStateAndLeavesNothing() throws Exception
    {
        final List<String> before = host.dataNodes();
        final TubeException failed = assertThrows(TubeException.class,
            () -> web.tubes().open(TubeOptions.to("db").withOpenTimeout(Duration.ofMillis(500))));
        assertEquals("peer domain " + db.domid() + " (db) did not accept tube web>db/0 within 500 ms: /local/domain/"
            + db.domid() + "/data/tip/" + web.domid() + "/0 reached state 0 (UNKNOWN), not 3 (INITIALISED)",
            failed.getMessage());
        assertEquals(before, host.dataNodes());
    }

    private static Tube accept(final SimDomains.Domain domain, final String peer)
    {
        try
        {
            return domain.tubes().accept(AcceptOptions.any().withPeer(peer));
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static Tube open(final SimDomains.Domain domain, final TubeOptions options)
    {
        try
        {
            return domain.tubes().open(options);
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static ByteBuffer text(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String received(final TubeReader in) throws Exception
    {
        final ByteBuffer packet = ByteBuffer.allocate(1024);
        final int length = in.receive(packet);
        assertTrue(length >= 0, "a packet, not the end");
        return new String(packet.array(), 0, length, StandardCharsets.UTF_8);
    }
}
