package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/** Stream mode between two domains of a simulated host: bytes without boundaries, in order, to the end. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamChannelsIT
{
    private static final int DATA_SIZE = 16 * 1024;
    private static final int TOTAL = 10 * 1024 * 1024;

    @TempDir
    Path dir;

    /** Two domains and a stream ring between them, formatted. */
    private TwoDomains streamRing() throws Exception
    {
        final int pages = RingLayout.totalSize(DATA_SIZE) / RingLayout.PAGE_SIZE;
        final TwoDomains ring = new TwoDomains(dir, pages);
        RingFormat.format(ring.shared.buffer(), DATA_SIZE, DATA_SIZE / 2, RingLayout.MODE_STREAM,
            ring.shared.refs().subList(1, pages));
        return ring;
    }

    @ParameterizedTest(name = "in place too: {0}")
    @ValueSource(booleans = {false, true})
    void bytesArriveInOrderWhateverTheWriteAndReadSizes(final boolean inPlaceToo) throws Exception
    {
        try (TwoDomains ring = streamRing())
        {
            final RingOutputChannel out = new RingOutputChannel(RingWriter.attach(ring.shared.buffer()), ring.aEvents,
                ring.aPort, Waiting.sleeping());
            final RingInputChannel in = new RingInputChannel(RingReader.attach(ring.mapped.buffer(), 1 << 20),
                ring.bEvents, ring.bPort, Waiting.sleeping());
            final CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() ->
            {
                final Random random = new Random(3);
                final CRC32C crc = new CRC32C();
                final byte[] bytes = new byte[50_000];
                try
                {
                    for (int left = TOTAL; left > 0;)
                    {
                        final int n = Math.min(left, 1 + random.nextInt(bytes.length));
                        random.nextBytes(bytes);
                        crc.update(bytes, 0, n);
                        assertEquals(n, out.write(ByteBuffer.wrap(bytes, 0, n)));
                        left -= n;
                    }
                    out.close();
                }
                catch (final Exception e)
                {
                    throw new IllegalStateException(e);
                }
                return crc.getValue();
            });
            // Reads into buffers of random sizes; with inPlaceToo, every other one hands the bytes over in place.
            final Random random = new Random(4);
            final CRC32C crc = new CRC32C();
            final PacketHandler inPlace = crc::update;
            long received = 0;
            final ByteBuffer dst = ByteBuffer.allocate(40_000);
            while (true)
            {
                final long n;
                if (inPlaceToo && random.nextBoolean())
                {
                    n = in.readInPlace(inPlace);
                }
                else
                {
                    n = in.read(dst.clear().limit(1 + random.nextInt(dst.capacity())));
                    crc.update(dst.array(), 0, (int) Math.max(n, 0));
                }
                if (n < 0)
                {
                    break;
                }
                received += n;
            }
            assertEquals(TOTAL, received);
            assertEquals(sent.get(60, TimeUnit.SECONDS), crc.getValue(), "the same bytes, in order");
            assertEquals(-1, in.read(dst.clear()), "end of stream stays");
            assertEquals(-1, in.readInPlace(inPlace), "end of stream stays, in place too");
            in.close();
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> in.read(dst.clear()));
        }
    }

    /**
     * The writer closes the stream and unbinds its port at the worst moment: after the reader found
     * the ring empty and just before it asks whether its peer is still there. The reader still takes
     * every byte and then the end of the stream, not a "peer gone" error.
     */
    @Test
    void aWriterThatClosesAndLeavesJustBeforeTheReaderSleepsEndsTheStream() throws Exception
    {
        try (TwoDomains ring = streamRing())
        {
            final RingOutputChannel out = new RingOutputChannel(RingWriter.attach(ring.shared.buffer()), ring.aEvents,
                ring.aPort, Waiting.sleeping());
            assertEquals(5, out.write(ByteBuffer.wrap(new byte[] {'h', 'e', 'l', 'l', 'o'})));
            final boolean[] left = {false};
            final EventChannels leavingAtTheWorstMoment = new ForwardingEventChannels(ring.bEvents)
            {
                @Override
                public boolean isConnected(final int port) throws DriverException
                {
                    if (!left[0])
                    {
                        left[0] = true;
                        out.close();
                        ring.aEvents.unbind(ring.aPort);
                    }
                    return super.isConnected(port);
                }
            };
            final RingInputChannel in = new RingInputChannel(RingReader.attach(ring.mapped.buffer(), 1 << 20),
                leavingAtTheWorstMoment, ring.bPort, Waiting.sleeping());
            final ByteBuffer dst = ByteBuffer.allocate(100);
            assertEquals(5, in.read(dst));
            assertEquals(-1, in.read(dst.clear()), "the end of the stream, once the writer is gone");
            assertEquals(true, left[0], "the writer left while the reader was about to sleep");
        }
    }

    @Test
    void aSenderGivesUpAfterItsTimeoutWhenNobodyReads() throws Exception
    {
        try (TwoDomains ring = new TwoDomains(dir, 2)) // b is there, and reads nothing
        {
            RingFormat.format(ring.shared.buffer(), RingLayout.PAGE_SIZE, 1024, RingLayout.MODE_PACKET, List.of());
            final RingSender sender = new RingSender(RingWriter.attach(ring.shared.buffer()), ring.aEvents, ring.aPort,
                Waiting.sleeping());
            int sent = 0;
            while (sender.offer(ByteBuffer.allocate(1000), 200, TimeUnit.MILLISECONDS))
            {
                sent++;
            }
            assertEquals(4, sent, "four 1008-byte records fill the ring; the fifth waits, then gives up");
            final ByteBuffer refused = ByteBuffer.allocate(1000);
            final long started = System.nanoTime();
            assertEquals(false, sender.offer(refused, 300, TimeUnit.MILLISECONDS));
            final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(0, refused.position(), "nothing of it went");
            assertEquals(true, waitedMs >= 300 && waitedMs < 1_000, "waited " + waitedMs + " ms");
        }
    }

    @Test
    void aPacketRingIsNotAStream() throws Exception
    {
        final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(DATA_SIZE));
        RingFormat.format(ring, DATA_SIZE, 1024, RingLayout.MODE_PACKET, List.of());
        assertThrows(IllegalArgumentException.class, () -> new RingOutputChannel(RingWriter.attach(ring), null, 1,
            Waiting.sleeping()));
    }
}
