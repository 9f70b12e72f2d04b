package io.tubes.ring;

import java.nio.ByteBuffer;
import java.util.List;

/** Lays out a fresh ring in zeroed shared pages, before either side attaches. */
public final class RingFormat
{
    private RingFormat()
    {
    }

    /**
     * Writes the control page: sizes, the grant refs of the data pages, positions at zero; the magic
     * last, so that a side that sees the magic sees everything else. {@code ring} holds the control
     * page and the data area after it.
     */
    public static void format(final ByteBuffer ring, final int dataSize, final int maxPacket, final int mode,
        final List<Integer> dataRefs)
    {
        RingLayout.checkDataSize(dataSize);
        format(RingLayout.control(ring), RingLayout.data(ring, dataSize), maxPacket, mode, dataRefs);
    }

    /** As {@link #format(ByteBuffer, int, int, int, List)}, for a control page and a data area mapped apart. */
    public static void format(final ByteBuffer control, final ByteBuffer data, final int maxPacket, final int mode,
        final List<Integer> dataRefs)
    {
        final int dataSize = data.capacity();
        RingLayout.checkDataSize(dataSize);
        RingLayout.checkMaxPacket(maxPacket);
        if (mode != RingLayout.MODE_PACKET && mode != RingLayout.MODE_STREAM)
        {
            throw new IllegalArgumentException("mode must be packet (0) or stream (1): mode=" + mode);
        }
        if (!dataRefs.isEmpty() && dataRefs.size() != dataSize / RingLayout.PAGE_SIZE)
        {
            throw new IllegalArgumentException("one grant ref per data page: pages=" + dataSize / RingLayout.PAGE_SIZE
                + " refs=" + dataRefs.size());
        }
        final ByteBuffer page = RingLayout.control(control);
        for (int i = 0; i < RingLayout.CONTROL_SIZE; i += 8)
        {
            page.putLong(i, 0);
        }
        page.putShort(RingLayout.VERSION_OFFSET, (short) RingLayout.VERSION);
        page.putShort(RingLayout.MODE_OFFSET, (short) mode);
        page.putInt(RingLayout.DATA_SIZE_OFFSET, dataSize);
        page.putInt(RingLayout.MAX_PACKET_OFFSET, maxPacket);
        page.putInt(RingLayout.PRODUCER_LIVE_OFFSET, LiveWord.FORMATTED);
        page.putInt(RingLayout.CONSUMER_LIVE_OFFSET, LiveWord.FORMATTED);
        for (int i = 0; i < dataRefs.size(); i++)
        {
            page.putInt(RingLayout.GRANT_REFS_OFFSET + 4 * i, dataRefs.get(i));
        }
        // The consumer's first look is at the first header slot; the producer zeroes every later one before it is looked at.
        RingLayout.part(data, 0, dataSize, "the data area").putLong(0, 0);
        // Everything above /then/ the magic: the magic says the page is ready.
        Ring.INT.setRelease(page, RingLayout.MAGIC_OFFSET, RingLayout.MAGIC);
    }
}
