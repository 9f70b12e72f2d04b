package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * Another thread stops a side blocked in a send, a receive or a channel's read: it fails at once with
 * the reason given, not after a timeout or a poll, and so does every later call. Two domains of a
 * simulated host, one ring between them, sides that sleep whenever they wait.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StopIT
{
    /** Under the simulated driver's 100 ms wait slices: only a wakeup, not a look at a flag, is this quick. */
    private static final long AT_ONCE_MS = 60;
    private static final int TRIES = 5;

    @TempDir
    Path dir;

    private TwoDomains ring;

    @BeforeEach
    void twoDomainsAndARing() throws Exception
    {
        ring = new TwoDomains(dir, 2);
    }

    @AfterEach
    void closeAll() throws Exception
    {
        if (ring != null)
        {
            ring.close();
        }
    }

    private void format(final int mode) throws RingException
    {
        RingFormat.format(ring.shared.buffer(), RingLayout.PAGE_SIZE, 1024, mode, List.of());
    }

    @Test
    void aReceiveBlockedOnAnEmptyRingFailsAtOnceWithTheReason() throws Exception
    {
        format(RingLayout.MODE_PACKET);
        final long[] tookMs = new long[TRIES];
        for (int i = 0; i < TRIES; i++)
        {
            final RingReceiver receiver = new RingReceiver(RingReader.attach(ring.mapped.buffer(), 1024),
                ring.bEvents, ring.bPort, Waiting.sleeping());
            final String reason = "the tube was closed (" + i + ")";
            tookMs[i] = stoppedAfterMs(() -> receiver.receive(ByteBuffer.allocate(1024)), () -> receiver.stop(reason),
                reason);
            assertEquals(reason, assertThrows(RingStoppedException.class,
                () -> receiver.receive(ByteBuffer.allocate(1024))).getMessage(), "every later call fails too");
        }
        assertAtOnce(tookMs);
    }

    @Test
    void aSendBlockedOnAFullRingFailsAtOnceWithTheReason() throws Exception
    {
        format(RingLayout.MODE_PACKET);
        final RingSender sender = new RingSender(RingWriter.attach(ring.shared.buffer()), ring.aEvents, ring.aPort,
            Waiting.sleeping());
        while (sender.offer(ByteBuffer.allocate(1000), 0, TimeUnit.MILLISECONDS))
        {
            // fill the ring: nobody reads
        }
        final long sendMs = stoppedAfterMs(() -> sender.send(ByteBuffer.allocate(1000)),
            () -> sender.stop("the peer's domain died"), "the peer's domain died");
        final RingSender patient = new RingSender(RingWriter.attach(ring.shared.buffer()), ring.aEvents, ring.aPort,
            Waiting.sleeping());
        final long offerMs = stoppedAfterMs(() -> patient.offer(ByteBuffer.allocate(1000), 1, TimeUnit.MINUTES),
            () -> patient.stop("closing"), "closing");
        assertAtOnce(new long[] {sendMs, offerMs});
    }

    @Test
    void aChannelReadBlockedOnAnEmptyStreamFailsAtOnceWithTheReason() throws Exception
    {
        format(RingLayout.MODE_STREAM);
        final RingInputChannel in = new RingInputChannel(RingReader.attach(ring.mapped.buffer(), 1024),
            ring.bEvents, ring.bPort, Waiting.sleeping());
        final long tookMs = stoppedAfterMs(() -> in.read(ByteBuffer.allocate(100)), () -> in.stop("closing"),
            "closing");
        assertAtOnce(new long[] {tookMs});
    }

    @Test
    void closingAHandleWhileAnotherThreadWaitsInItWakesThatThreadWithAnError() throws Exception
    {
        final CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return ring.bEvents.pending(1, TimeUnit.MINUTES);
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // in pending by now
        final long closed = System.nanoTime();
        ring.bEvents.close();
        final ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertInstanceOf(DriverException.class, e.getCause().getCause(), e.toString());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed) < 1_000);
    }

    @Test
    void aWakeupEndsTheWaitOfAnotherThreadOrTheNextOne() throws Exception
    {
        ring.bEvents.wakeup();
        assertEquals(EventChannels.WOKEN, ring.bEvents.pending(1, TimeUnit.MINUTES),
            "a wakeup before the wait ends it");
        assertEquals(EventChannels.TIMED_OUT, ring.bEvents.pending(10, TimeUnit.MILLISECONDS), "once");
        final CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return ring.bEvents.pending(1, TimeUnit.MINUTES);
            }
            catch (final Exception e)
            {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        ring.bEvents.wakeup();
        assertEquals(EventChannels.WOKEN, waiting.get(10, TimeUnit.SECONDS));
    }

    /** A stop from this thread. */
    @FunctionalInterface
    private interface Stopping
    {
        void stop() throws Exception;
    }

    /** Starts {@code call} on another thread, lets it block, stops it, and returns how long it took to fail (ms). */
    private static long stoppedAfterMs(final Blocked.Call call, final Stopping stop, final String reason)
        throws Exception
    {
        final CompletableFuture<Throwable> blocked = Blocked.failureOf(call);
        Thread.sleep(300); // past any spin: asleep on the event channel
        assertTrue(!blocked.isDone(), "the call blocks until it is stopped");
        final long stopped = System.nanoTime();
        stop.stop();
        final Throwable failed = blocked.get(10, TimeUnit.SECONDS);
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        final RingStoppedException cause = assertInstanceOf(RingStoppedException.class, failed, String.valueOf(failed));
        assertEquals(reason, cause.getMessage());
        return tookMs;
    }

    private static void assertAtOnce(final long[] tookMs)
    {
        final long[] sorted = tookMs.clone();
        Arrays.sort(sorted);
        assertTrue(sorted[(sorted.length - 1) / 2] < AT_ONCE_MS, "stopped sides failed after " + Arrays.toString(tookMs)
            + " ms: a wakeup, not a poll, ends the wait");
    }
}
