package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.EventChannels;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/** How sides that sleep whenever they wait wake each other: two processes, two domains of a simulated host. */
class KickWaitIT
{
    private static final int DATA_SIZE = 4096;
    private static final int ROUND_TRIPS = 300_000;

    @TempDir
    Path dir;

    /**
     * The echo replies just as this side asks for a kick, 300 000 times (without the fences, a kick
     * was lost about once in 100 000). A lost kick leaves this side asleep for a whole slice, a second,
     * with the reply waiting.
     */
    @Test
    void aSleepingPingPongNeverMissesAKick() throws Exception
    {
        final int pages = RingLayout.totalSize(DATA_SIZE) / RingLayout.PAGE_SIZE;
        Process echo = null;
        try (SimHost host = SimHost.start(new HostLayout(dir));
             SimXenDriver self = SimXenDriver.join(host.layout(), "self");
             EventChannels events = self.openEventChannels())
        {
            final int echoDomid = self.domid() + 1;
            try (SharedPages there = self.grantTable().share(echoDomid, pages, true, null);
                 SharedPages back = self.grantTable().share(echoDomid, pages, true, null))
            {
                RingFormat.format(there.buffer(), DATA_SIZE, 64, RingLayout.MODE_PACKET, List.of());
                RingFormat.format(back.buffer(), DATA_SIZE, 64, RingLayout.MODE_PACKET, List.of());
                final int port = events.bindUnbound(echoDomid);
                echo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), RingEchoMain.class.getName(), dir.toString(),
                    Integer.toString(self.domid()), Integer.toString(port), Integer.toString(there.refs().get(0)),
                    Integer.toString(back.refs().get(0)), Integer.toString(pages))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                final BufferedReader out = new BufferedReader(new InputStreamReader(echo.getInputStream(),
                    StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine());
                final RingSender sender = new RingSender(RingWriter.attach(there.buffer()), events, port,
                    Waiting.sleeping());
                final RingReceiver receiver = new RingReceiver(RingReader.attach(back.buffer(), 64), events, port,
                    Waiting.sleeping());
                final ByteBuffer packet = ByteBuffer.allocateDirect(64);
                long slowest = 0;
                for (int i = 0; i < ROUND_TRIPS; i++)
                {
                    final long started = System.nanoTime();
                    packet.clear().putInt(0, i);
                    sender.send(packet);
                    assertEquals(64, receiver.receive(packet.clear()));
                    assertEquals(i, packet.getInt(0), "the reply to round trip " + i);
                    slowest = Math.max(slowest, System.nanoTime() - started);
                }
                sender.close();
                assertTrue(echo.waitFor(30, TimeUnit.SECONDS), "the echoing domain ends when its ring does");
                final long slowestMillis = TimeUnit.NANOSECONDS.toMillis(slowest);
                assertTrue(slowestMillis < 900,
                    "a round trip waited out a sleep of a second: " + slowestMillis + " ms");
            }
        }
        finally
        {
            if (echo != null)
            {
                echo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * An adaptive wait stops spinning when the peer comes later than any spin would wait (a peer
     * that is not running, on a busy machine), and spins again once the peer comes soon after the
     * side gave up and slept.
     */
    @Test
    void anAdaptiveWaitStopsSpinningForALatePeerAndSpinsAgainForAPromptOne() throws Exception
    {
        try (TwoDomains ring = new TwoDomains(dir, 2))
        {
            RingFormat.format(ring.shared.buffer(), DATA_SIZE, 64, RingLayout.MODE_PACKET, List.of());
            final RingSender sender = new RingSender(RingWriter.attach(ring.shared.buffer()), ring.aEvents, ring.aPort,
                Waiting.sleeping());
            final RingReceiver receiver = new RingReceiver(RingReader.attach(ring.mapped.buffer(), 64), ring.bEvents,
                ring.bPort, Waiting.DEFAULT);
            assertTrue(receiver.spinWindowNanos() > 0, "it starts out spinning");
            final ByteBuffer packet = ByteBuffer.allocate(64);
            sendEvery(sender, TimeUnit.MILLISECONDS.toNanos(5), 20, receiver, packet);
            assertEquals(0, receiver.spinWindowNanos(), "a peer 5 ms apart: no spin pays");
            final long widest = sendEvery(sender, TimeUnit.MICROSECONDS.toNanos(80), 200, receiver, packet);
            assertTrue(widest > 0, "a peer that comes within the longest spin makes it spin again");
        }
    }

    /** Sends {@code count} packets {@code gapNanos} apart from another thread and receives them; the widest window. */
    private static long sendEvery(final RingSender sender, final long gapNanos, final int count,
        final RingReceiver receiver, final ByteBuffer packet) throws Exception
    {
        final CompletableFuture<Void> sending = CompletableFuture.runAsync(() ->
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    final long until = System.nanoTime() + gapNanos;
                    while (System.nanoTime() < until)
                    {
                        Thread.onSpinWait();
                    }
                    sender.send(ByteBuffer.allocate(64));
                }
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
        long widest = 0;
        for (int i = 0; i < count; i++)
        {
            assertEquals(64, receiver.receive(packet.clear()));
            widest = Math.max(widest, receiver.spinWindowNanos());
        }
        sending.get(30, TimeUnit.SECONDS);
        return widest;
    }
}
