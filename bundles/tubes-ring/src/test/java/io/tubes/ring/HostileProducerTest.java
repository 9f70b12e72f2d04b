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
    /** A packet whose record takes half the ring. */
    private static final int HALF = SIZE / 2 - RingLayout.HEADER;
    /** The largest producer position the random test forges. */
    private static final long MAX_FORGED_POSITION = 8L * 599;
    /**
     * The most packets a static forged ring can feed: records (16 bytes at least) up to two rings and
     * a half past the producer's position.
     */
    private static final long MOST_FORGED_PACKETS = (MAX_FORGED_POSITION + 2 * SIZE + SIZE / 2) / 16;

    private final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(SIZE));
    private final ByteBuffer raw = ring.duplicate().order(ByteOrder.LITTLE_ENDIAN);

    private RingReader reader() throws RingException
    {
        RingFormat.format(ring, SIZE, 1 << 16, RingLayout.MODE_PACKET, List.of());
        return RingReader.attach(ring, 1 << 16);
    }

    /** Forges a published record's header at data offset {@code at}. */
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

    /** Forges two records of half a ring each, then the producer position given. */
    private void twoHalves(final long producer)
    {
        record(0, HALF, HALF);
        record(SIZE / 2, HALF, HALF);
        raw.putLong(RingLayout.PRODUCER_OFFSET, producer);
    }

    @Test
    void aProducerPositionThatDoesNotCoverTheLapReadIsRefused() throws Exception
    {
        final RingReader reader = reader();
        twoHalves(0);
        assertEquals(HALF, reader.read(ByteBuffer.allocate(SIZE)), "the first half ring is read unchecked");
        assertEquals(HALF, reader.read(ByteBuffer.allocate(SIZE)), "checked: the position may trail within a lap");
        record(0, HALF, HALF);
        assertTrue(failure(reader).contains("producer's position is 0 (it was 0) while this side has read up to "
            + SIZE), "a whole lap read, the position must cover it");
        assertTrue(failure(reader).contains("producer's position"), "the ring stays failed");
    }

    @Test
    void aProducerPositionPastTheRingIsRefused() throws Exception
    {
        final RingReader reader = reader();
        twoHalves(SIZE / 2 + SIZE + 8);
        assertEquals(HALF, reader.read(ByteBuffer.allocate(SIZE)));
        assertTrue(failure(reader).contains("producer's position is " + (SIZE / 2 + SIZE + 8)));
    }

    @Test
    void aProducerPositionGoingBackIsRefused() throws Exception
    {
        final RingReader reader = reader();
        twoHalves(SIZE);
        assertEquals(HALF, reader.read(ByteBuffer.allocate(SIZE)));
        assertEquals(HALF, reader.read(ByteBuffer.allocate(SIZE)), "checked: the position covers both halves");
        record(0, 8, 8);
        raw.putLong(RingLayout.PRODUCER_OFFSET, SIZE / 2);
        assertTrue(failure(reader).contains("producer's position is " + SIZE / 2 + " (it was " + SIZE + ")"));
    }

    @Test
    void aRecordLongerThanTheRingHoldsIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, SIZE - 15, SIZE - 15);
        assertTrue(failure(reader).contains("says it holds " + (SIZE - 15) + " bytes; a record in this " + SIZE
            + "-byte ring holds 1 to " + (SIZE - 16)));
    }

    @Test
    void aPacketOverTheLimitIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 8 | 0x8000_0000, Integer.MAX_VALUE);
        assertTrue(failure(reader).contains("says it is " + Integer.MAX_VALUE + " bytes"));
    }

    @Test
    void aFragmentThatDoesNotContinueItsPacketIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 8 | 0x8000_0000, 100);
        record(16, 8, 200);
        assertTrue(failure(reader).contains("does not continue the 100-byte packet"));
    }

    @Test
    void aProducerClosingWithRecordsItNeverPublishedIsRefused() throws Exception
    {
        final RingReader reader = reader();
        record(0, 8, 8);
        raw.putLong(RingLayout.PRODUCER_OFFSET, 32);
        raw.putInt(RingLayout.PRODUCER_CLOSED_OFFSET, 1);
        assertEquals(8, reader.read(ByteBuffer.allocate(64)));
        assertTrue(failure(reader).contains("closed the ring with its position at 32, but published records only up"
            + " to 16"));
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
        int fed = 0;
        for (int round = 0; round < 100_000; round++)
        {
            final RingReader reader = reader();
            forgeRecords(random);
            for (int i = 0; i < random.nextInt(4); i++)
            {
                final int at = random.nextInt(RingLayout.totalSize(SIZE) / 4) * 4;
                raw.putInt(at, random.nextBoolean() ? random.nextInt() : random.nextInt(64));
            }
            raw.putLong(RingLayout.PRODUCER_OFFSET, random.nextBoolean() ? random.nextLong()
                : 8L * random.nextInt((int) (MAX_FORGED_POSITION / 8) + 1));
            raw.putInt(RingLayout.PRODUCER_CLOSED_OFFSET, random.nextInt(4) == 0 ? 1 : 0);
            try
            {
                int packets = 0;
                if (round % 2 == 0)
                {
                    while (reader.read(ByteBuffer.allocate(1 << 16)) > 0)
                    {
                        assertTrue(++packets <= MOST_FORGED_PACKETS, "bounded by the position and the ring");
                        fed++;
                    }
                }
                else
                {
                    // Zero-copy views, read by a handler that touches every byte.
                    for (int n = reader.poll(p -> p.get(p.limit() - 1), 64); n > 0; n = reader.poll(p -> p.get(0), 64))
                    {
                        packets += n;
                        fed += n;
                        assertTrue(packets <= MOST_FORGED_PACKETS, "bounded by the position and the ring");
                    }
                }
            }
            catch (final RingException e)
            {
                refused++;
            }
        }
        assertTrue(refused > 50_000, "most forgeries are caught: " + refused);
        assertTrue(fed > 10_000, "some forgeries pass as packets, and are read: " + fed);
    }

    /**
     * Forges a chain of records from the start of the data area, each at the offset its predecessor's
     * length points to: mostly plausible, now and then not.
     */
    private void forgeRecords(final Random random)
    {
        int at = 0;
        for (int i = 0; i < 1 + random.nextInt(8); i++)
        {
            final int fragment = random.nextInt(16) == 0 ? random.nextInt() : 1 + random.nextInt(SIZE / 4);
            final boolean more = random.nextInt(4) == 0;
            final int total = switch (random.nextInt(8))
            {
                case 0 -> random.nextInt();
                case 1, 2 -> fragment + random.nextInt(SIZE);
                default -> fragment;
            };
            record(at, fragment | (more ? 0x8000_0000 : 0), total);
            at = (at + RingLayout.recordSize(fragment & (SIZE - 1))) & (SIZE - 1);
        }
    }
}
