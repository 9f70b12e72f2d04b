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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.simhost.HostLayout;
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
    /** What the peer process prints, read by one reader from start to end: nothing it buffers is lost. */
    private BufferedReader peerSays;

    @Test
    void aSenderWaitingForRoomFailsWhenItsReceiverIsKilled() throws Exception
    {
        try (SimHost host = SimHost.start(new HostLayout(dir));
             SimXenDriver self = SimXenDriver.join(host.layout(), "sender");
             EventChannels events = self.openEventChannels();
             SharedPages shared = self.grantTable().share(self.domid() + 1, PAGES, true, null))
        {
            RingFormat.format(shared.buffer(), DATA_SIZE, 1024, RingLayout.MODE_PACKET, List.of());
            final int port = events.bindUnbound(self.domid() + 1);
            final Process receiver = peer("idle", self, port, shared);
            try
            {
                final RingSender sender = new RingSender(RingWriter.attach(shared.buffer()), events, port, 0);
                int sent = 0;
                while (sender.offer(ByteBuffer.allocate(1000), 0, TimeUnit.MILLISECONDS))
                {
                    sent++;
                }
                assertEquals(16, sent, "the receiver reads nothing: 16 records of 1008 bytes fill the ring");
                receiver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                final DriverException gone = assertThrows(DriverException.class,
                    () -> sender.send(ByteBuffer.allocate(1000)));
                assertTrue(gone.getMessage().contains("port " + port + " is not connected (its domain died"),
                    gone.getMessage());
            }
            finally
            {
                receiver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aReceiverTakesEverythingItsKilledSenderPublishedThenFails() throws Exception
    {
        try (SimHost host = SimHost.start(new HostLayout(dir));
             SimXenDriver self = SimXenDriver.join(host.layout(), "receiver");
             EventChannels events = self.openEventChannels();
             SharedPages shared = self.grantTable().share(self.domid() + 1, PAGES, true, null))
        {
            RingFormat.format(shared.buffer(), DATA_SIZE, 1024, RingLayout.MODE_PACKET, List.of());
            final int port = events.bindUnbound(self.domid() + 1);
            final Process sender = peer("send", self, port, shared);
            try
            {
                final RingReceiver receiver = new RingReceiver(RingReader.attach(shared.buffer(), 1024), events, port,
                    0);
                final ByteBuffer packet = ByteBuffer.allocate(1024);
                for (int sequence = 0; sequence < SENT - 10; sequence++)
                {
                    assertEquals(RingPeerDeathMain.PACKET, receiver.receive(packet.clear()));
                    assertEquals(sequence, packet.getInt(0));
                }
                // The last ten wait in the ring while the sender dies.
                assertEquals("sent " + SENT, peerSays.readLine());
                sender.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                for (int sequence = SENT - 10; sequence < SENT; sequence++)
                {
                    assertEquals(RingPeerDeathMain.PACKET, receiver.receive(packet.clear()));
                    assertEquals(sequence, packet.getInt(0));
                }
                final DriverException gone = assertThrows(DriverException.class,
                    () -> receiver.receive(packet.clear()));
                assertTrue(gone.getMessage().contains("port " + port + " is not connected (its domain died"),
                    gone.getMessage());
                assertFalse(events.isConnected(port));
            }
            finally
            {
                sender.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The peer domain's process, once it has mapped the ring and bound its port. */
    private Process peer(final String role, final SimXenDriver self, final int port, final SharedPages shared)
        throws Exception
    {
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), RingPeerDeathMain.class.getName(), role, dir.toString(),
            Integer.toString(self.domid()), Integer.toString(port), Integer.toString(shared.refs().get(0)),
            Integer.toString(PAGES), Integer.toString(SENT)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            peerSays = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", peerSays.readLine());
            return process;
        }
        catch (final Exception | AssertionError e)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw e;
        }
    }
}
