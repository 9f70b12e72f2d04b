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
     * last, so that a side that sees the magic sees everything else.
     */
    public static void format(final ByteBuffer ring, final int dataSize, final int maxPacket, final int mode,
        final List<Integer> dataRefs)
    {
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
        final ByteBuffer view = RingLayout.view(ring, dataSize);
        for (int i = 0; i < RingLayout.CONTROL_SIZE; i += 8)
        {
            view.putLong(i, 0);
        }
        view.putShort(RingLayout.VERSION_OFFSET, (short) RingLayout.VERSION);
        view.putShort(RingLayout.MODE_OFFSET, (short) mode);
        view.putInt(RingLayout.DATA_SIZE_OFFSET, dataSize);
        view.putInt(RingLayout.MAX_PACKET_OFFSET, maxPacket);
        for (int i = 0; i < dataRefs.size(); i++)
        {
            view.putInt(RingLayout.GRANT_REFS_OFFSET + 4 * i, dataRefs.get(i));
        }
        // The consumer's first look is at the first header slot; the producer zeroes every later one before it is looked at.
        view.putLong(RingLayout.CONTROL_SIZE, 0);
        // Everything above /then/ the magic: the magic says the page is ready.
        Ring.INT.setRelease(view, RingLayout.MAGIC_OFFSET, RingLayout.MAGIC);
    }
}
