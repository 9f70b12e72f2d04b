package io.tubes.simhost.shm;

import java.nio.ByteBuffer;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Linux futexes on a word of a shared file mapping, through JNA: a process sleeps in the kernel until
 * another process changes the word and wakes it. Shared (not private) operations, so they work
 * across processes.
 */
public final class Futex
{
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;

    /** JNA binding of libc's {@code syscall}. */
    private interface LibC extends Library
    {
        long syscall(long number, Pointer address, int op, int value, Pointer timeout, Pointer address2, int value3);
    }

    private final LibC libc;
    private final long sysFutex;
    private final ThreadLocal<Memory> timespec = ThreadLocal.withInitial(() -> new Memory(16));

    private Futex(final LibC libc, final long sysFutex)
    {
        this.libc = libc;
        this.sysFutex = sysFutex;
    }

    /**
     * Loads libc's {@code syscall}.
     *
     * @throws UnsupportedOperationException off Linux on x86-64 or arm64, or when JNA cannot load libc
     */
    public static Futex load()
    {
        final String arch = System.getProperty("os.arch");
        final long number;
        if ("amd64".equals(arch) || "x86_64".equals(arch))
        {
            number = 202;
        }
        else if ("aarch64".equals(arch))
        {
            number = 98;
        }
        else
        {
            throw new UnsupportedOperationException("futexes are supported on Linux x86-64 and arm64, not " + arch);
        }
        try
        {
            return new Futex(Native.load("c", LibC.class), number);
        }
        catch (final UnsatisfiedLinkError e)
        {
            throw new UnsupportedOperationException("cannot load libc through JNA: " + e.getMessage(), e);
        }
    }

    /**
     * Sleeps while the int at {@code offset} of {@code buffer} (a shared mapping) equals
     * {@code expected}, at most {@code timeoutNanos}. Returns early on a wake, a change, or a signal;
     * the caller re-checks what it waits for.
     */
    public void await(final ByteBuffer buffer, final int offset, final int expected, final long timeoutNanos)
    {
        final Memory timeout = timespec.get();
        timeout.setLong(0, timeoutNanos / 1_000_000_000L);
        timeout.setLong(8, timeoutNanos % 1_000_000_000L);
        libc.syscall(sysFutex, Native.getDirectBufferPointer(buffer).share(offset), FUTEX_WAIT, expected, timeout,
            null, 0);
    }

    /** Wakes every process sleeping on the int at {@code offset} of {@code buffer}. */
    public void wakeAll(final ByteBuffer buffer, final int offset)
    {
        libc.syscall(sysFutex, Native.getDirectBufferPointer(buffer).share(offset), FUTEX_WAKE, Integer.MAX_VALUE,
            null, null, 0);
    }
}
