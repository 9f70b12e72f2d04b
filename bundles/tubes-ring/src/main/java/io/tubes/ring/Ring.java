package io.tubes.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Ordered access to a ring's control words, and formatting a fresh ring. */
final class Ring
{
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Ring()
    {
    }

    /** Copies {@code length} bytes at data offset {@code from} into {@code dst}, wrapping at the end. */
    static void copyOut(final ByteBuffer data, final int dataSize, final int from, final ByteBuffer dst, final int length)
    {
        final int first = Math.min(length, dataSize - from);
        dst.put(dst.position(), data, from, first);
        if (first < length) // a bulk put costs its checks even for no bytes, and most records do not wrap
        {
            dst.put(dst.position() + first, data, 0, length - first);
        }
        dst.position(dst.position() + length);
    }

    /** Copies {@code length} bytes of {@code src} to data offset {@code to}, wrapping at the end. */
    static void copyIn(final ByteBuffer data, final int dataSize, final int to, final ByteBuffer src, final int length)
    {
        final int first = Math.min(length, dataSize - to);
        data.put(to, src, src.position(), first);
        if (first < length)
        {
            data.put(0, src, src.position() + first, length - first);
        }
        src.position(src.position() + length);
    }
}
