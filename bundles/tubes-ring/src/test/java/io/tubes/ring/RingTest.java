package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One ring, both sides in one thread: framing, wrap-around, fragments, flow control, close, notify flags. */
class RingTest
{
    private static final int SIZE = 4096;

    private static ByteBuffer ring(final int dataSize, final int maxPacket)
    {
        final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(dataSize));
        RingFormat.format(ring, dataSize, maxPacket, RingLayout.MODE_PACKET, List.of());
        return ring;
    }

    private static byte[] packet(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] readOne(final RingReader reader, final int max) throws RingException
    {
        final ByteBuffer dst = ByteBuffer.allocate(max);
        final int length = reader.read(dst);
        assertTrue(length > 0, "a packet, not " + length);
        final byte[] got = new byte[length];
        dst.flip().get(got);
        return got;
    }

    @Test
    void packetsComeOutWholeAndInOrder() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        for (int length = 1; length <= 200; length += 7)
        {
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(packet(length, length))));
            assertArrayEquals(packet(length, length), readOne(reader, SIZE));
        }
        assertEquals(RingReader.EMPTY, reader.read(ByteBuffer.allocate(SIZE)));
    }

    /**
     * Records of 64 bytes tile the ring: none wraps, so only the one ending at the end of the data
     * area stores the producer's position, which the reader checks every half ring.
     */
    /** The control page and the data area mapped apart, as a side that asks for Xen's unmap notification maps them. */
    @Test
    void aRingWhoseControlPageAndDataAreApartCarriesPacketsAndTellsWhenAPeerIsGone() throws Exception
    {
        final ByteBuffer control = ByteBuffer.allocateDirect(RingLayout.CONTROL_SIZE);
        final ByteBuffer data = ByteBuffer.allocateDirect(SIZE);
        RingFormat.format(control, data, SIZE, RingLayout.MODE_PACKET, List.of());
        final RingReader reader = RingReader.attach(control, data, SIZE);
        assertFalse(reader.producerGone(), "a producer that has not attached yet is not gone");
        final RingWriter writer = RingWriter.attach(control, data);
        for (int length = 1; length <= 3 * SIZE; length = length * 3 + 1)
        {
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(packet(Math.min(length, SIZE - 16), length))));
            assertArrayEquals(packet(Math.min(length, SIZE - 16), length), readOne(reader, SIZE));
        }
        assertFalse(reader.producerGone());
        assertFalse(writer.consumerGone());
        // What Xen's unmap notification does when a side's process lets go of the control page: its byte goes to 0.
        control.put(RingLayout.PRODUCER_LIVE_OFFSET, (byte) 0);
        assertTrue(reader.producerGone(), "the producer's live word was cleared");
        control.put(RingLayout.CONSUMER_LIVE_OFFSET, (byte) 0);
        assertTrue(writer.consumerGone(), "the consumer's live word was cleared");
    }

    @Test
    void packetsWhoseRecordsTileTheRingAreReadLapAfterLap() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        final int length = 64 - RingLayout.HEADER;
        for (int i = 0; i < 10 * SIZE / 64; i++)
        {
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(packet(length, i))));
            assertArrayEquals(packet(length, i), readOne(reader, SIZE), "packet " + i);
        }
        writer.close();
        assertEquals(RingReader.END, reader.read(ByteBuffer.allocate(SIZE)), "the position covers every record");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPacketIsTheBytesFromItsBuffersPositionToItsLimit(final boolean wraps) throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        if (wraps)
        {
            // The next record starts 24 bytes before the end: its 40-byte body wraps.
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(new byte[SIZE - 24 - 8])));
            readOne(reader, SIZE);
        }
        final byte[] bytes = packet(100, 7);
        final ByteBuffer src = ByteBuffer.wrap(bytes, 30, 50).slice().position(10);
        assertEquals(RingWriter.WRITTEN, writer.write(src));
        assertEquals(50, src.position(), "the packet's buffer is taken to its limit");
        assertArrayEquals(Arrays.copyOfRange(bytes, 40, 80), readOne(reader, SIZE));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 100, 1000, 2039, 2040, 4080})
    void recordsWrapAroundTheEndAtEveryOffset(final int length) throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        // Move the positions through every aligned offset, so that some record straddles the end at each.
        for (int step = 0; step < 2 * SIZE / RingLayout.ALIGNMENT; step++)
        {
            final byte[] sent = packet(length, step);
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(sent)), "step " + step);
            assertArrayEquals(sent, readOne(reader, SIZE), "step " + step);
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(new byte[1])));
            readOne(reader, SIZE);
        }
    }

    @Test
    void aFullRingSaysSoAndDropsNothing() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        int sent = 0;
        while (writer.write(ByteBuffer.wrap(packet(100, sent))) == RingWriter.WRITTEN)
        {
            sent++;
        }
        assertEquals(SIZE / 112, sent, "112-byte records fill the ring exactly");
        final ByteBuffer refused = ByteBuffer.wrap(packet(100, sent));
        assertEquals(RingWriter.FULL, writer.write(refused));
        assertEquals(0, refused.position(), "nothing of a refused packet was taken");
        for (int i = 0; i < sent; i++)
        {
            assertArrayEquals(packet(100, i), readOne(reader, SIZE));
        }
        assertEquals(RingWriter.WRITTEN, writer.write(refused));
        assertArrayEquals(packet(100, sent), readOne(reader, SIZE));
    }

    @ParameterizedTest
    @ValueSource(ints = {4081, 4089, 10_000, 100_000, 1 << 20})
    void packetsLargerThanTheRingArriveWholeInFragments(final int length) throws Exception
    {
        final ByteBuffer ring = ring(SIZE, 1 << 20);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, 1 << 20);
        final byte[] sent = packet(length, length);
        final ByteBuffer src = ByteBuffer.wrap(sent);
        final ByteBuffer dst = ByteBuffer.allocate(1 << 20);
        int result = RingReader.EMPTY;
        while (src.hasRemaining())
        {
            writer.write(src);
            result = reader.read(dst);
        }
        assertEquals(length, result);
        final byte[] got = new byte[length];
        dst.flip().get(got);
        assertArrayEquals(sent, got);
    }

    @Test
    void aSenderWaitingForRoomWaitsUntilWriteWouldTakeThePacket() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, 1 << 16);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, 1 << 16);
        for (int i = 0; i < 2; i++)
        {
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(packet(1000, i))));
        }
        // Over a quarter of the ring is free, but a packet that fits the ring goes in whole, not in fragments.
        assertTrue(writer.free() > SIZE / 4);
        final ByteBuffer big = ByteBuffer.wrap(packet(2500, 2));
        assertEquals(RingWriter.FULL, writer.write(big));
        assertFalse(writer.hasRoomFor(big.remaining()), "waiting would not end at once, only to find the ring full");
        readOne(reader, 1 << 16);
        assertTrue(writer.hasRoomFor(big.remaining()));
        assertEquals(RingWriter.WRITTEN, writer.write(big));
        // The rest of a packet larger than the ring goes in as soon as a quarter of the ring is free.
        readOne(reader, 1 << 16);
        final ByteBuffer huge = ByteBuffer.wrap(packet(10_000, 3));
        assertEquals(RingWriter.PARTIAL, writer.write(huge));
        assertFalse(writer.hasRoomFor(huge.remaining()));
        reader.read(ByteBuffer.allocate(1 << 16));
        assertTrue(writer.hasRoomFor(huge.remaining()));
    }

    @Test
    void aWriterAttachingToARingWithUnreadRecordsKeepsThem() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter first = RingWriter.attach(ring);
        while (first.write(ByteBuffer.wrap(packet(1000, 0))) == RingWriter.WRITTEN)
        {
            // fill it
        }
        final RingWriter again = RingWriter.attach(ring);
        assertEquals(RingWriter.FULL, again.write(ByteBuffer.wrap(packet(1000, 1))), "no room: nothing overwritten");
        final RingReader reader = RingReader.attach(ring, SIZE);
        for (int i = 0; i < 4; i++)
        {
            assertArrayEquals(packet(1000, 0), readOne(reader, SIZE));
        }
    }

    @Test
    void pollHandsOverPacketsWithoutCopyingAndAssemblesTheRest() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, 1 << 16);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, 1 << 16);
        final java.util.List<byte[]> got = new java.util.ArrayList<>();
        final java.util.List<Boolean> readOnly = new java.util.ArrayList<>();
        final PacketHandler collect = packet ->
        {
            readOnly.add(packet.isReadOnly());
            final byte[] bytes = new byte[packet.remaining()];
            packet.get(bytes);
            got.add(bytes);
        };
        int sent = 0;
        // Sizes that wrap around the end, and one larger than the ring (fragments).
        for (final int length : new int[] {100, 3000, 700, 2000, 9000, 5})
        {
            final ByteBuffer src = ByteBuffer.wrap(packet(length, length));
            while (src.hasRemaining())
            {
                writer.write(src);
                reader.poll(collect, 100);
            }
            sent++;
        }
        assertEquals(sent, got.size());
        int i = 0;
        for (final int length : new int[] {100, 3000, 700, 2000, 9000, 5})
        {
            assertArrayEquals(packet(length, length), got.get(i++));
        }
        assertTrue(readOnly.stream().allMatch(b -> b), "views are read-only");
        writer.close();
        assertEquals(RingReader.END, reader.poll(collect, 100));
    }

    @Test
    void aLongPollHandsSpaceBackAlongTheWaySoAFullProducerNeedNotWaitForItsEnd() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        // Seven records of an eighth of the ring each: the ring is full, as the producer keeps the next header's slot.
        final int length = SIZE / 8 - RingLayout.HEADER;
        for (int i = 0; i < 7; i++)
        {
            assertEquals(RingWriter.WRITTEN, writer.write(ByteBuffer.wrap(packet(length, i))));
        }
        assertEquals(RingWriter.FULL, writer.write(ByteBuffer.wrap(packet(length, 7))));
        assertEquals(SIZE / 8, writer.free());
        final java.util.List<Integer> freeSeen = new java.util.ArrayList<>();
        final PacketHandler watchProducer = packet ->
        {
            try
            {
                freeSeen.add(writer.free());
            }
            catch (final RingException e)
            {
                throw new AssertionError(e);
            }
        };
        assertEquals(7, reader.poll(watchProducer, 100));
        assertEquals(List.of(SIZE / 8, 2 * SIZE / 8, 3 * SIZE / 8, 4 * SIZE / 8, 5 * SIZE / 8, 6 * SIZE / 8,
            7 * SIZE / 8), freeSeen, "while packet k is handled, the k before it are free again");
        assertEquals(SIZE, writer.free());
    }

    @Test
    void aBatchGoesInWholePacketsUpToWhatFits() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        final ByteBuffer[] batch = new ByteBuffer[100];
        for (int i = 0; i < batch.length; i++)
        {
            batch[i] = ByteBuffer.wrap(packet(100, i));
        }
        final int first = writer.writeBatch(batch, 0, batch.length);
        assertEquals(SIZE / 112, first, "as many 112-byte records as fit");
        assertEquals(RingWriter.FULL, writer.write(ByteBuffer.wrap(new byte[100])));
        for (int i = 0; i < first; i++)
        {
            assertArrayEquals(packet(100, i), readOne(reader, SIZE));
        }
        for (int next = first; next < batch.length;)
        {
            final int written = writer.writeBatch(batch, next, batch.length - next);
            assertTrue(written > 0 && written <= first, "written=" + written);
            for (int i = next; i < next + written; i++)
            {
                assertArrayEquals(packet(100, i), readOne(reader, SIZE));
            }
            next += written;
        }
        // A record, its header and the next record's header slot must fit in the ring.
        assertThrows(IllegalArgumentException.class,
            () -> writer.writeBatch(new ByteBuffer[] {ByteBuffer.allocate(SIZE - 2 * RingLayout.HEADER + 1)}, 0, 1));
    }

    @Test
    void aProducerClosingInTheMiddleOfAPacketIsAnError() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, 1 << 16);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, 1 << 16);
        assertEquals(RingWriter.PARTIAL, writer.write(ByteBuffer.wrap(packet(9000, 1))));
        assertEquals(RingReader.EMPTY, reader.read(ByteBuffer.allocate(1 << 16)));
        writer.close();
        assertTrue(assertThrows(RingException.class, () -> reader.read(ByteBuffer.allocate(1 << 16))).getMessage()
            .contains("closed the ring in the middle of a 9000-byte packet"));
    }

    @Test
    void closingDrainsWhatWasSentThenEnds() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        for (int i = 0; i < 3; i++)
        {
            writer.write(ByteBuffer.wrap(packet(10, i)));
        }
        writer.close();
        for (int i = 0; i < 3; i++)
        {
            assertArrayEquals(packet(10, i), readOne(reader, SIZE));
        }
        assertEquals(RingReader.END, reader.read(ByteBuffer.allocate(SIZE)));
    }

    @Test
    void aReceiverThatClosesIsSeenByTheSender() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        assertFalse(writer.consumerClosed());
        reader.close();
        assertTrue(writer.consumerClosed());
    }

    @Test
    void kicksOnlyWhenThePeerAskedForOne() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        writer.write(ByteBuffer.wrap(new byte[8]));
        assertFalse(writer.consumerWantsKick(), "a busy consumer is not kicked");
        readOne(reader, SIZE);
        reader.requestKick();
        assertFalse(reader.hasData(), "the consumer re-checks after asking, then sleeps");
        writer.write(ByteBuffer.wrap(new byte[8]));
        assertTrue(writer.consumerWantsKick());
        assertFalse(writer.consumerWantsKick(), "one request, one kick");

        while (writer.write(ByteBuffer.wrap(new byte[8])) == RingWriter.WRITTEN)
        {
            // fill it
        }
        writer.requestKick();
        readOne(reader, SIZE);
        assertTrue(reader.producerWantsKick());
        assertFalse(reader.producerWantsKick());
    }

    @Test
    void sendingAndReceivingAllocateNothingPerPacket() throws Exception
    {
        final ByteBuffer ring = ring(64 * 1024, 1024);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, 1024);
        final ByteBuffer packet = ByteBuffer.allocateDirect(200);
        final ByteBuffer dst = ByteBuffer.allocateDirect(1024);
        final PacketHandler touch = bytes -> bytes.get(bytes.limit() - 1);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
        // A warm-up first: the interpreter and the first compiled code may allocate, steady state may not.
        sendAndReceive(writer, reader, packet, dst, touch, 200_000);
        final long before = threads.getCurrentThreadAllocatedBytes();
        sendAndReceive(writer, reader, packet, dst, touch, 1_000_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 100_000, "a million packets allocated " + allocated + " bytes");
    }

    /** Writes packets one at a time, reading each back by copy or in place, and looks for kicks as senders do. */
    private static void sendAndReceive(final RingWriter writer, final RingReader reader, final ByteBuffer packet,
        final ByteBuffer dst, final PacketHandler touch, final int packets) throws RingException
    {
        for (int i = 0; i < packets; i++)
        {
            assertEquals(RingWriter.WRITTEN, writer.write(packet.clear()));
            writer.consumerWantsKick();
            assertEquals(i % 2 == 0 ? 200 : 1, i % 2 == 0 ? reader.read(dst.clear()) : reader.poll(touch, 1));
            reader.producerWantsKick();
        }
    }

    @Test
    void aPublisherWhosePeerStaysBusySaysItMayMissARequestUntilItSeesOne() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, SIZE);
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, SIZE);
        assertFalse(reader.requestKick(), "a fresh producer fences: no request is missed");
        writer.write(ByteBuffer.wrap(new byte[8]));
        assertTrue(writer.consumerWantsKick());
        readOne(reader, SIZE);
        for (int i = 0; i < KickCheck.QUIET_LOOKS; i++)
        {
            writer.write(ByteBuffer.wrap(new byte[8]));
            assertFalse(writer.consumerWantsKick());
            readOne(reader, SIZE);
        }
        assertTrue(reader.requestKick(),
            "after " + KickCheck.QUIET_LOOKS + " looks without a request it stopped fencing");
        writer.write(ByteBuffer.wrap(new byte[8]));
        assertTrue(writer.consumerWantsKick(), "it still sees a request made in time");
        readOne(reader, SIZE);
        assertFalse(reader.requestKick(), "the request it saw brought its fences back");
    }

    @Test
    void theWriterRefusesPacketsOverItsLimitAndTheReaderKeepsItsOwn() throws Exception
    {
        final ByteBuffer ring = ring(SIZE, 64);
        final RingWriter writer = RingWriter.attach(ring);
        assertThrows(IllegalArgumentException.class, () -> writer.write(ByteBuffer.wrap(new byte[65])));
        assertThrows(IllegalArgumentException.class, () -> writer.write(ByteBuffer.allocate(0)));
        assertEquals(32, RingReader.attach(ring, 32).maxPacket(), "the smaller of the two limits");
    }

    @Test
    void attachingToSomethingThatIsNotARingSaysWhy()
    {
        final ByteBuffer garbage = ByteBuffer.allocateDirect(RingLayout.totalSize(SIZE));
        assertTrue(assertThrows(RingException.class, () -> RingReader.attach(garbage, SIZE)).getMessage()
            .contains("not a ring"));
        final ByteBuffer ring = ring(SIZE, SIZE);
        ring.order(ByteOrder.LITTLE_ENDIAN).putInt(RingLayout.DATA_SIZE_OFFSET, 3000);
        assertTrue(assertThrows(RingException.class, () -> RingReader.attach(ring, SIZE)).getMessage()
            .contains("data size must be a power of two"));
    }
}
