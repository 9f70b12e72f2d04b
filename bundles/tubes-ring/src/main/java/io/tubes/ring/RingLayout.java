package io.tubes.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout of one ring: a 4096-byte control page, then a data area of a power-of-two size. Every
 * number is little-endian (all Xen platforms are). Positions are 64-bit byte counts that only grow;
 * a position's offset in the data area is {@code position & (dataSize - 1)}.
 *
 * <pre>
 * control page
 *    0  u32 magic "TUBE"            written last by the creator: a reader sees it only when the rest is set
 *    4  u16 version (4)
 *    6  u16 mode (0 packet, 1 stream)
 *    8  u32 data size in bytes      a power of two, 4096 .. 2 MiB
 *   12  u32 max packet size
 *   64  u64 producer position       written by the producer only, at least once a lap, before the records it covers
 *                                   are published, and before the close
 *  128  u64 consumer position       written by the consumer only
 *  192  u32 consumer asks for a notification (set by the consumer before it sleeps, cleared by the producer's kick)
 *  196  u32 producer asks for a notification (set by the producer when the ring is full, cleared by the consumer's kick)
 *  256  u32 producer closed         no more records will come
 *  260  u32 consumer closed         nobody reads any more
 *  264  u32 producer live           2 when formatted, 1 once the producer attached; Xen's unmap notification
 *                                   of the producer's share or mapping of this page clears its low byte
 *  268  u32 consumer live           the same for the consumer
 *  512  u32[] grant refs of the data pages, one per page (at most 896)
 * data area: records, each 8-byte aligned
 *    0  u32 fragment length | 0x80000000 when more fragments of the packet follow
 *    4  u32 packet length           the same in every fragment of a packet
 *    8  fragment bytes, then padding to a multiple of 8; a record may wrap around the end of the area
 * </pre>
 *
 * <p>The control page and the data area may be mapped apart (Xen's unmap notification covers one
 * page, so a side that asks for it shares or maps the control page alone).
 *
 * <p>A record is published by its header (the first 8 bytes, stored last, with release): a zero
 * header says no record is there yet. The producer zeroes the next record's header slot before it
 * publishes a record, so it always leaves 8 bytes free.
 */
public final class RingLayout
{
    public static final int PAGE_SIZE = 4096;
    public static final int CONTROL_SIZE = PAGE_SIZE;
    public static final int MAGIC = 0x45425554; // "TUBE" in little-endian bytes
    public static final int VERSION = 4;
    public static final int MODE_PACKET = 0;
    public static final int MODE_STREAM = 1;

    public static final int MIN_DATA_SIZE = PAGE_SIZE;
    public static final int MAX_DATA_SIZE = 512 * PAGE_SIZE;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int MODE_OFFSET = 6;
    static final int DATA_SIZE_OFFSET = 8;
    static final int MAX_PACKET_OFFSET = 12;
    static final int PRODUCER_OFFSET = 64;
    static final int CONSUMER_OFFSET = 128;
    static final int CONSUMER_NOTIFY_OFFSET = 192;
    static final int PRODUCER_NOTIFY_OFFSET = 196;
    static final int PRODUCER_UNFENCED_OFFSET = 200;
    static final int CONSUMER_UNFENCED_OFFSET = 204;
    static final int PRODUCER_CLOSED_OFFSET = 256;
    static final int CONSUMER_CLOSED_OFFSET = 260;
    /** The producer's live word: give it to the producer's unmap notification. */
    public static final int PRODUCER_LIVE_OFFSET = 264;
    /** The consumer's live word: give it to the consumer's unmap notification. */
    public static final int CONSUMER_LIVE_OFFSET = 268;
    public static final int GRANT_REFS_OFFSET = 512;
    public static final int MAX_DATA_PAGES = (CONTROL_SIZE - GRANT_REFS_OFFSET) / 4;

    /** Bytes of a record header. */
    public static final int HEADER = 8;
    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;
    static final int MORE = 0x8000_0000;

    /** The largest packet a ring may be told to carry: 256 MiB. */
    public static final int MAX_PACKET_LIMIT = 1 << 28;

    private RingLayout()
    {
    }

    /** Bytes a ring with {@code dataSize} bytes of data needs: the control page and the data area. */
    public static int totalSize(final int dataSize)
    {
        checkDataSize(dataSize);
        return CONTROL_SIZE + dataSize;
    }

    /** Checks a data size: a power of two from 4096 to 2 MiB. */
    public static void checkDataSize(final int dataSize)
    {
        if (dataSize < MIN_DATA_SIZE || dataSize > MAX_DATA_SIZE || Integer.bitCount(dataSize) != 1)
        {
            throw new IllegalArgumentException("data size must be a power of two from " + MIN_DATA_SIZE + " to "
                + MAX_DATA_SIZE + ": dataSize=" + dataSize);
        }
    }

    /** Checks a max packet size: 1 byte to 256 MiB. */
    public static void checkMaxPacket(final int maxPacket)
    {
        if (maxPacket < 1 || maxPacket > MAX_PACKET_LIMIT)
        {
            throw new IllegalArgumentException("max packet must be 1 to " + MAX_PACKET_LIMIT + " bytes: maxPacket="
                + maxPacket);
        }
    }

    /**
     * The grant refs of the data pages, as a ring's creator wrote them in its control page: what a
     * side that mapped the control page alone maps next. Nothing in the page is trusted: a page that
     * is not a ring of this version, or whose sizes are out of bounds, is refused.
     *
     * @throws RingException saying what is wrong with the page
     */
    public static List<Integer> dataRefs(final ByteBuffer control) throws RingException
    {
        final RingReader.Header header = RingReader.Header.read(control, MAX_DATA_SIZE);
        final ByteBuffer page = control(control);
        final List<Integer> refs = new ArrayList<>(header.dataSize() / PAGE_SIZE);
        for (int i = 0; i < header.dataSize() / PAGE_SIZE; i++)
        {
            refs.add(page.getInt(GRANT_REFS_OFFSET + 4 * i));
        }
        return refs;
    }

    /** Bytes a record of {@code fragment} bytes takes, header and padding included. */
    static int recordSize(final int fragment)
    {
        return (HEADER + fragment + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Bytes that must be free to write a record of {@code fragment} bytes: the record and the next header's slot. */
    static int spaceFor(final int fragment)
    {
        return recordSize(fragment) + HEADER;
    }

    /** The most bytes one record holds in a ring of {@code dataSize}: the rest is its header and the next one's. */
    static int maxRecordBody(final int dataSize)
    {
        return dataSize - 2 * HEADER;
    }

    /** A little-endian view of a ring's control page, the first {@link #CONTROL_SIZE} bytes of {@code buffer}. */
    static ByteBuffer control(final ByteBuffer buffer)
    {
        return part(buffer, 0, CONTROL_SIZE, "the control page");
    }

    /** A little-endian view of a ring's data area of {@code dataSize} bytes, after the control page in {@code ring}. */
    static ByteBuffer data(final ByteBuffer ring, final int dataSize)
    {
        return part(ring, CONTROL_SIZE, dataSize, "the control page and the data");
    }

    /** A little-endian view of all of {@code ring} after its control page: where its data area is. */
    static ByteBuffer afterControl(final ByteBuffer ring)
    {
        return part(ring, CONTROL_SIZE, ring.capacity() - CONTROL_SIZE, "the control page");
    }

    /** A little-endian view of {@code length} bytes of {@code buffer} from {@code offset}. */
    static ByteBuffer part(final ByteBuffer buffer, final int offset, final int length, final String what)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new UnsupportedOperationException("rings are little-endian, as Xen is; this machine is not");
        }
        if (buffer.capacity() < offset + length)
        {
            throw new IllegalArgumentException("the buffer must hold " + what + ": capacity=" + buffer.capacity()
                + " needed=" + (offset + length));
        }
        final ByteBuffer part = buffer.duplicate().clear().position(offset).limit(offset + length).slice();
        return part.order(ByteOrder.LITTLE_ENDIAN);
    }
}
