package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every mix of the consumer's reading calls ({@code read} into one buffer or into a new one each
 * time, and {@code poll}) delivers every packet whole, each byte once and in order, in both modes,
 * when packets larger than the ring arrive in fragments between the calls.
 */
class MixedReadsTest
{
    private static final int SIZE = 4096;
    /** Small, larger than the ring (so in fragments), small again, and one that fits but wraps. */
    private static final int[] LENGTHS = {3, 6_000, 5, 3_000, 9_001, 1};

    /** One consumer call: read into the same buffer each time, read into a new one, or poll. */
    private enum Call
    {
        READ_SAME, READ_NEW, POLL
    }

    @ParameterizedTest(name = "{0}, calls {1}")
    @CsvSource({
        "packet, POLL READ_SAME", "packet, READ_SAME POLL", "packet, POLL READ_NEW", "packet, READ_NEW POLL",
        "packet, READ_NEW", "packet, READ_SAME READ_NEW POLL", "packet, POLL POLL READ_NEW",
        "stream, POLL READ_SAME", "stream, READ_SAME POLL", "stream, POLL READ_NEW", "stream, READ_NEW POLL",
        "stream, READ_NEW", "stream, READ_SAME READ_NEW POLL", "stream, POLL POLL READ_NEW"})
    void everyMixOfReadsDeliversEveryPacketWholeAndInOrder(final String mode, final String calls) throws Exception
    {
        final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(SIZE));
        RingFormat.format(ring, SIZE, 16_384, "stream".equals(mode) ? RingLayout.MODE_STREAM : RingLayout.MODE_PACKET,
            List.of());
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, 16_384);
        final List<ByteBuffer> toSend = new ArrayList<>();
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < LENGTHS.length; i++)
        {
            final byte[] bytes = new byte[LENGTHS[i]];
            new Random(i).nextBytes(bytes);
            sent.add(bytes);
            toSend.add(ByteBuffer.wrap(bytes));
        }
        final List<byte[]> got = new ArrayList<>();
        final ByteBuffer same = ByteBuffer.allocate(16_384);
        final Call[] pattern = parse(calls);
        boolean ended = false;
        for (int step = 0; !ended; step++)
        {
            assertTrue(step < 10_000, "the reader keeps up: got " + got.size() + " packets");
            while (!toSend.isEmpty() && writer.write(toSend.get(0)) == RingWriter.WRITTEN)
            {
                toSend.remove(0);
            }
            if (toSend.isEmpty())
            {
                writer.close();
            }
            switch (pattern[step % pattern.length])
            {
                case READ_SAME -> ended = read(reader, same, got);
                case READ_NEW -> ended = read(reader, ByteBuffer.allocate(16_384), got);
                case POLL -> ended = reader.poll(packet ->
                {
                    final byte[] bytes = new byte[packet.remaining()];
                    packet.get(bytes);
                    got.add(bytes);
                }, 2) == RingReader.END;
            }
        }
        assertEquals(sent.size(), got.size(), "packets");
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), got.get(i), "packet " + i + " of " + sent.get(i).length + " bytes");
        }
        assertArrayEquals(concat(sent), concat(got), "the bytes in order, each once");
    }

    private static boolean read(final RingReader reader, final ByteBuffer dst, final List<byte[]> got)
        throws RingException
    {
        final int length = reader.read(dst);
        if (length > 0)
        {
            // A whole packet ends at the buffer's position, wherever it began.
            final byte[] bytes = new byte[length];
            dst.get(dst.position() - length, bytes);
            got.add(bytes);
            dst.clear();
        }
        return length == RingReader.END;
    }

    private static Call[] parse(final String calls)
    {
        final String[] names = calls.trim().split(" ");
        final Call[] pattern = new Call[names.length];
        for (int i = 0; i < names.length; i++)
        {
            pattern[i] = Call.valueOf(names[i]);
        }
        return pattern;
    }

    private static byte[] concat(final List<byte[]> packets)
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        packets.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
