package io.tubes.ring;

import java.nio.ByteBuffer;

/**
 * A side's live word in the control page, as the other side watches it: set to 1 when that side
 * attached, its low byte cleared by Xen's unmap notification when that side's process lets go of
 * the page. Gone means seen set, then cleared: a side that has not attached yet is not gone.
 */
final class LiveWord
{
    private final ByteBuffer control;
    private final int offset;
    private boolean seenLive;

    LiveWord(final ByteBuffer control, final int offset)
    {
        this.control = control;
        this.offset = offset;
    }

    /** Sets this side's own live word: it is attached. */
    static void set(final ByteBuffer control, final int offset)
    {
        Ring.INT.setRelease(control, offset, 1);
    }

    /** Whether the side whose word this is attached and has since gone. */
    boolean gone()
    {
        if (((int) Ring.INT.getAcquire(control, offset) & 0xFF) != 0)
        {
            seenLive = true;
            return false;
        }
        return seenLive;
    }
}
