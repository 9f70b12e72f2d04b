package io.tubes.ring;

import java.nio.ByteBuffer;

/**
 * A side's live word in the control page: {@link #FORMATTED} until that side attaches, then
 * {@link #ATTACHED}; Xen's unmap notification clears its low byte when that side's process lets go
 * of the page. Gone means cleared, whenever the other side looks: a side that has not attached yet
 * is not gone, and one that died before the other first looked is.
 */
final class LiveWord
{
    /** What the formatter writes: no side has attached yet. */
    static final int FORMATTED = 2;
    /** What a side writes when it attaches. */
    static final int ATTACHED = 1;

    private final ByteBuffer control;
    private final int offset;

    LiveWord(final ByteBuffer control, final int offset)
    {
        this.control = control;
        this.offset = offset;
    }

    /** Sets this side's own live word: it is attached. */
    static void set(final ByteBuffer control, final int offset)
    {
        Ring.INT.setRelease(control, offset, ATTACHED);
    }

    /** Whether the side whose word this is has let go of the ring (its low byte was cleared). */
    boolean gone()
    {
        return ((int) Ring.INT.getAcquire(control, offset) & 0xFF) == 0;
    }
}
