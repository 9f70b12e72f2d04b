package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * A consumer that writes what it likes into its words of the control page (its position, its flags):
 * the writer fails with a clear error, and only so, and writes nowhere but its own words and the data
 * area.
 */
class HostileConsumerTest
{
    private static final int SIZE = 4096;
    /** A packet whose record takes 112 bytes. */
    private static final int PACKET = 100;
    private static final int RECORD = 112;

    private final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(SIZE));
    private final ByteBuffer raw = ring.duplicate().order(ByteOrder.LITTLE_ENDIAN);

    private RingWriter writer() throws RingException
    {
        RingFormat.format(ring, SIZE, 1 << 16, RingLayout.MODE_PACKET, List.of());
        return RingWriter.attach(ring);
    }

    /** Writes packets until the ring is full; how many went. */
    private static int fill(final RingWriter writer) throws RingException
    {
        int written = 0;
        while (writer.write(ByteBuffer.allocate(PACKET)) == RingWriter.WRITTEN)
        {
            written++;
        }
        return written;
    }

    @Test
    void aConsumerPositionAheadOfWhatWasWrittenIsRefused() throws Exception
    {
        final RingWriter writer = writer();
        for (int i = 0; i < 3; i++)
        {
            writer.write(ByteBuffer.allocate(PACKET));
        }
        raw.putLong(RingLayout.CONSUMER_OFFSET, 4 * RECORD);
        final RingException e = assertThrows(RingException.class, writer::free);
        assertEquals("the consumer's position 448 is impossible: it was 0 and this side has written up to 336 in a ring"
            + " of 4096 bytes", e.getMessage());
    }

    @Test
    void aConsumerPositionGoingBackIsRefused() throws Exception
    {
        final RingWriter writer = writer();
        fill(writer);
        raw.putLong(RingLayout.CONSUMER_OFFSET, 2 * RECORD);
        assertEquals(SIZE - (36 - 2) * RECORD, writer.free(), "two records read: their room is free again");
        raw.putLong(RingLayout.CONSUMER_OFFSET, RECORD);
        final RingException e = assertThrows(RingException.class, writer::free);
        assertTrue(e.getMessage().startsWith("the consumer's position 112 is impossible: it was 224"), e.getMessage());
    }

    @Test
    void aMisalignedConsumerPositionIsRefused() throws Exception
    {
        final RingWriter writer = writer();
        fill(writer);
        raw.putLong(RingLayout.CONSUMER_OFFSET, RECORD + 4);
        assertThrows(RingException.class, writer::free);
    }

    @Test
    void aWriterFindingTheRingFullRefusesAForgedPositionThatWouldFreeRoom() throws Exception
    {
        final RingWriter writer = writer();
        assertEquals(36, fill(writer), "36 records of 112 bytes, and the next header's slot, fill 4096 bytes");
        raw.putLong(RingLayout.CONSUMER_OFFSET, 37L * RECORD);
        final RingException e = assertThrows(RingException.class, () -> writer.write(ByteBuffer.allocate(PACKET)));
        assertTrue(e.getMessage().startsWith("the consumer's position 4144 is impossible"), e.getMessage());
    }

    @Test
    void randomScribblingOnTheConsumersWordsNeverThrowsAnythingElseNorWritesOutsideTheWritersOwn() throws Exception
    {
        final Random random = new Random(11);
        final ByteBuffer[] batch = new ByteBuffer[8];
        int refused = 0;
        long written = 0;
        for (int round = 0; round < 20_000; round++)
        {
            final RingWriter writer = writer();
            final ByteBuffer control = snapshotOfTheFormattedPage();
            try
            {
                for (int step = 0; step < 64; step++)
                {
                    scribble(random);
                    switch (random.nextInt(4))
                    {
                        case 0 ->
                        {
                            final ByteBuffer packet = ByteBuffer.allocate(1 + random.nextInt(SIZE * 3));
                            written += writer.write(packet) == RingWriter.WRITTEN ? 1 : 0;
                        }
                        case 1 ->
                        {
                            for (int i = 0; i < batch.length; i++)
                            {
                                batch[i] = ByteBuffer.allocate(1 + random.nextInt(SIZE / 4));
                            }
                            written += writer.writeBatch(batch, 0, batch.length);
                        }
                        case 2 -> writer.free();
                        default ->
                        {
                            if (writer.consumerWantsKick() || writer.consumerClosed())
                            {
                                writer.requestKick();
                            }
                        }
                    }
                }
            }
            catch (final RingException e)
            {
                assertTrue(e.getMessage().startsWith("the consumer's position "), e.getMessage());
                refused++;
            }
            catch (final IllegalStateException e)
            {
                // A packet half written when the forged position stopped it: the caller's mistake, said so.
                assertTrue(e.getMessage().startsWith("a packet is half written"), e.getMessage());
            }
            assertEquals(control, raw.slice(0, RingLayout.PRODUCER_OFFSET), "the header words stay as formatted");
        }
        assertTrue(refused > 10_000, "forged positions are caught: " + refused);
        assertTrue(written > 20_000, "plausible ones let packets through: " + written);
    }

    /** The first words of the control page, as the format left them (the magic, the version, the sizes). */
    private ByteBuffer snapshotOfTheFormattedPage()
    {
        final ByteBuffer copy = ByteBuffer.allocate(RingLayout.PRODUCER_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(0, raw, 0, RingLayout.PRODUCER_OFFSET);
        return copy;
    }

    /** Writes a random value, plausible or not, into one of the words the consumer owns, now and then. */
    private void scribble(final Random random)
    {
        switch (random.nextInt(8))
        {
            case 0 -> raw.putLong(RingLayout.CONSUMER_OFFSET, random.nextLong());
            case 1, 2 -> raw.putLong(RingLayout.CONSUMER_OFFSET, raw.getLong(RingLayout.PRODUCER_OFFSET)
                - 8L * random.nextInt(SIZE / 8 + 64));
            case 3 -> raw.putInt(RingLayout.CONSUMER_NOTIFY_OFFSET, random.nextInt());
            case 4 -> raw.putInt(RingLayout.CONSUMER_UNFENCED_OFFSET, random.nextInt());
            case 5 -> raw.putInt(RingLayout.CONSUMER_CLOSED_OFFSET, random.nextInt());
            default ->
            {
                // No scribbling: the writer goes on with what it has.
            }
        }
    }
}
