package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * A peer killed mid-stream (kill -9 of its domain's process): the side left behind takes everything
 * the peer published, then fails with an error that says the peer is gone, instead of waiting for
 * ever for a ring that will not move again.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeerDeathIT
{
    private static final int DATA_SIZE = 16 * 1024;
    private static final int PAGES = RingLayout.totalSize(DATA_SIZE) / RingLayout.PAGE_SIZE;
    /** What the killed sender publishes: more than a lap of the ring, which the receiver reads as it comes. */
    private static final int SENT = 100;

    @TempDir
    Path dir;
    private SimHost host;
    private SimXenDriver self;
    private EventChannels events;
    /** The ring, granted to the peer's domain and formatted. */
    private SharedPages shared;
    /** This side's port, bound to the peer's. */
    private int port;
    private Process peer;
    /** What the peer process prints, read by one reader from start to end: nothing it buffers is lost. */
    private BufferedReader peerSays;

    @BeforeEach
    void grantARing() throws Exception
    {
        host = SimHost.start(new HostLayout(dir));
        self = SimXenDriver.join(host.layout(), "test");
        events = self.openEventChannels();
        shared = self.grantTable().share(self.domid() + 1, PAGES, true, null);
        RingFormat.format(shared.buffer(), DATA_SIZE, 1024, RingLayout.MODE_PACKET, List.of());
        port = events.bindUnbound(self.domid() + 1);
    }

    @AfterEach
    void killThePeerAndStopTheHost() throws Exception
    {
        if (peer != null)
        {
            peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // In the reverse order of their making; those never made (a failed set-up) are null.
        for (final AutoCloseable made : new AutoCloseable[] {shared, events, self, host})
        {
            if (made != null)
            {
                made.close();
            }
        }
    }

    @Test
    void aSenderWaitingForRoomFailsWhenItsReceiverIsKilled() throws Exception
    {
        startPeer("idle");
        final RingSender sender = new RingSender(RingWriter.attach(shared.buffer()), events, port, Waiting.sleeping());
        int sent = 0;
        while (sender.offer(ByteBuffer.allocate(1000), 0, TimeUnit.MILLISECONDS))
        {
            sent++;
        }
        assertEquals(16, sent, "the receiver reads nothing: 16 records of 1008 bytes fill the ring");
        peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        final DriverException gone = assertThrows(DriverException.class, () -> sender.send(ByteBuffer.allocate(1000)));
        assertTrue(gone.getMessage().startsWith("peer domain " + (self.domid() + 1) + " is gone (the peer of"
            + " event-channel port " + port + " is not connected"), gone.getMessage());
    }

    /**
     * As on Xen, where the event channel cannot tell that its peer is gone: the receiver's live word,
     * cleared by its unmap notification when its domain dies, wakes the sender and fails it.
     */
    @Test
    void aSenderWaitingForRoomFailsWhenItsReceiverIsKilledAndOnlyTheLiveWordSaysSo() throws Exception
    {
        startPeer("idle");
        final RingSender sender = new RingSender(RingWriter.attach(shared.buffer()), asOnXen(events), port,
            Waiting.sleeping());
        while (sender.offer(ByteBuffer.allocate(1000), 0, TimeUnit.MILLISECONDS))
        {
            // fill the ring
        }
        final CompletableFuture<Throwable> blocked = Blocked.failureOf(() -> sender.send(ByteBuffer.allocate(1000)));
        peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        final Throwable gone = blocked.get(30, TimeUnit.SECONDS);
        assertTrue(gone instanceof DriverException && gone.getMessage().startsWith("peer domain " + (self.domid() + 1)
            + " is gone (Xen's unmap notification cleared its live word"), String.valueOf(gone));
    }

    @Test
    void aReceiverTakesEverythingItsKilledSenderPublishedThenFails() throws Exception
    {
        startPeer("send");
        final RingReceiver receiver = new RingReceiver(RingReader.attach(shared.buffer(), 1024), events, port,
            Waiting.sleeping());
        final ByteBuffer packet = ByteBuffer.allocate(1024);
        for (int sequence = 0; sequence < SENT - 10; sequence++)
        {
            assertEquals(RingPeerMain.PACKET, receiver.receive(packet.clear()));
            assertEquals(sequence, packet.getInt(0));
        }
        // The last ten wait in the ring while the sender dies.
        assertEquals("sent " + SENT, peerSays.readLine());
        peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        for (int sequence = SENT - 10; sequence < SENT; sequence++)
        {
            assertEquals(RingPeerMain.PACKET, receiver.receive(packet.clear()));
            assertEquals(sequence, packet.getInt(0));
        }
        final DriverException gone = assertThrows(DriverException.class, () -> receiver.receive(packet.clear()));
        assertTrue(gone.getMessage().startsWith("peer domain " + (self.domid() + 1) + " is gone"), gone.getMessage());
        assertFalse(events.isConnected(port));
    }

    /** As on Xen: a receiver asleep on an empty ring wakes when its sender's live word is cleared, and fails. */
    @Test
    void aReceiverAsleepFailsWhenItsSenderIsKilledAndOnlyTheLiveWordSaysSo() throws Exception
    {
        startPeer("send");
        final RingReceiver receiver = new RingReceiver(RingReader.attach(shared.buffer(), 1024), asOnXen(events), port,
            Waiting.sleeping());
        final ByteBuffer packet = ByteBuffer.allocate(1024);
        for (int sequence = 0; sequence < SENT; sequence++)
        {
            assertEquals(RingPeerMain.PACKET, receiver.receive(packet.clear()));
        }
        assertEquals("sent " + SENT, peerSays.readLine());
        final CompletableFuture<Throwable> asleep = Blocked.failureOf(() -> receiver.receive(packet.clear()));
        Thread.sleep(200);
        peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        final Throwable gone = asleep.get(30, TimeUnit.SECONDS);
        assertTrue(gone instanceof DriverException && gone.getMessage().startsWith("peer domain " + (self.domid() + 1)
            + " is gone (Xen's unmap notification cleared its live word"), String.valueOf(gone));
    }

    /** The event channel as on Xen: it says its port is connected whatever became of the peer. */
    private static EventChannels asOnXen(final EventChannels events)
    {
        return new ForwardingEventChannels(events)
        {
            @Override
            public boolean isConnected(final int port)
            {
                return true;
            }
        };
    }

    /** Starts the peer domain's process ({@link RingPeerMain}); returns once it mapped the ring and bound its port. */
    private void startPeer(final String role) throws Exception
    {
        peer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), RingPeerMain.class.getName(), role, dir.toString(),
            Integer.toString(self.domid()), Integer.toString(port), Integer.toString(shared.refs().get(0)),
            Integer.toString(PAGES), Integer.toString(SENT)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        peerSays = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", peerSays.readLine());
    }
}
