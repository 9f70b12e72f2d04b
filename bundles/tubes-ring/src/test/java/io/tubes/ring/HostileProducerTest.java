package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** A producer that writes what it likes into the ring: the reader fails with a clear error, and only so. */
class HostileProducerTest
{
    private static final int SIZE = 4096;

    private final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(SIZE));
    private final ByteBuffer raw = ring.duplicate().order(ByteOrder.LITTLE_ENDIAN);

    private RingReader reader() throws RingException
    {
        RingFormat.format(ring, SIZE, 1 << 16, RingLayout.MODE_PACKET, List.of());
        return RingReader.attach(ring, 1 << 16);
    }

    private void record(final int at, final int lengthWord, final int total)
    {
        raw.putInt(RingLayout.CONTROL_SIZE + at, lengthWord);
        raw.putInt(RingLayout.CONTROL_SIZE + at + 4, total);
    }

    private String failure(final RingReader reader)
    {
        final RingException e = assertThrows(RingException.class, () -> reader.read(ByteBuffer.allocate(1 << 16)));
        return e.getMessage();
    }

    @Test
    void aProducerPositionPastTheRingIsRefused() throws Exception
    {
        final RingReader reader = reader();
        raw.putLong(RingLayout.PRODUCER_OFFSET, SIZE + 8);
        assertTrue(failure(reader).contains("producer's position went from 0 to " + (SIZE + 8)));
        assertTrue(failure(reader).contains("producer's position"), "the ring stays failed");
    }

    @Test
    void aProducerPositionGoingBackIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 8, 8);
        raw.putLong(RingLayout.PRODUCER_OFFSET, 16);
        assertEquals(8, reader.read(ByteBuffer.allocate(64)));
        raw.putLong(RingLayout.PRODUCER_OFFSET, 8);
        assertTrue(failure(reader).contains("went from 16 to 8"));
    }

    @Test
    void aRecordLongerThanWhatIsPublishedIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 100, 100);
        raw.putLong(RingLayout.PRODUCER_OFFSET, 16);
        assertTrue(failure(reader).contains("says it holds 100 bytes, but only 8 are published"));
    }

    @Test
    void aPacketOverTheLimitIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 8 | 0x8000_0000, Integer.MAX_VALUE);
        raw.putLong(RingLayout.PRODUCER_OFFSET, 16);
        assertTrue(failure(reader).contains("says it is " + Integer.MAX_VALUE + " bytes"));
    }

    @Test
    void aFragmentThatDoesNotContinueItsPacketIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 8 | 0x8000_0000, 100);
        record(16, 8, 200);
        raw.putLong(RingLayout.PRODUCER_OFFSET, 32);
        assertTrue(failure(reader).contains("does not continue the 100-byte packet"));
    }

    @Test
    void aPeerScribblingWhileTheReaderReadsOnlyEverCausesTheRingsOwnError() throws Exception
    {
        final long corruptions = 1_000_000;
        final java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        final ByteBuffer scribbled = ring.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final Thread scribbler = new Thread(() ->
        {
            final Random random = new Random(1);
            while (done.get() < corruptions)
            {
                final int at = random.nextInt(RingLayout.totalSize(SIZE) / 8) * 8;
                if (random.nextBoolean())
                {
                    scribbled.putInt(at, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(SIZE));
                }
                else
                {
                    scribbled.putLong(at, random.nextInt(4) == 0 ? random.nextLong() : 8L * random.nextInt(4 * SIZE));
                }
                done.incrementAndGet();
            }
        }, "scribbler");
        final ByteBuffer dst = ByteBuffer.allocate(1 << 16);
        int failed = 0;
        scribbler.start();
        try
        {
            while (scribbler.isAlive())
            {
                try
                {
                    // Even attaching may meet the scribbles: that too is the ring's own error.
                    final RingReader reader = reader();
                    for (int calls = 0; calls < 1000; calls++)
                    {
                        if (calls % 2 == 0)
                        {
                            reader.read(dst.clear());
                        }
                        else
                        {
                            reader.poll(p -> p.get(p.limit() - 1), 16);
                        }
                    }
                }
                catch (final RingException e)
                {
                    failed++;
                }
            }
        }
        finally
        {
            done.set(corruptions);
            scribbler.join();
        }
        assertTrue(failed > 0, "the scribbling was noticed");
    }

    @Test
    void randomScribblingNeverThrowsAnythingElseNorHangs() throws Exception
    {
        final Random random = new Random(42);
        int refused = 0;
        for (int round = 0; round < 100_000; round++)
        {
            final RingReader reader = reader();
            for (int i = 0; i < 1 + random.nextInt(6); i++)
            {
                final int at = random.nextInt(RingLayout.totalSize(SIZE) / 4) * 4;
                raw.putInt(at, random.nextBoolean() ? random.nextInt() : random.nextInt(64));
            }
            raw.putLong(RingLayout.PRODUCER_OFFSET, random.nextBoolean() ? random.nextLong() : 8L * random.nextInt(600));
            try
            {
                int packets = 0;
                if (round % 2 == 0)
                {
                    while (reader.read(ByteBuffer.allocate(1 << 16)) > 0)
                    {
                        assertTrue(++packets <= SIZE / 16, "bounded by what fits in the ring");
                    }
                }
                else
                {
                    // Zero-copy views, read by a handler that touches every byte.
                    for (int n = reader.poll(p -> p.get(p.limit() - 1), 64); n > 0; n = reader.poll(p -> p.get(0), 64))
                    {
                        packets += n;
                        assertTrue(packets <= SIZE / 16, "bounded by what fits in the ring");
                    }
                }
            }
            catch (final RingException e)
            {
                refused++;
            }
        }
        assertTrue(refused > 50_000, "most scribbles are caught: " + refused);
    }
}
