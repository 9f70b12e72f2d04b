package io.tubes.sim.protocol;

import java.nio.ByteBuffer;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Linux futexes on a word of a shared file mapping, through JNA: a process sleeps in the kernel until
 * another process changes the word and wakes it. Shared (not private) operations, so they work
 * across processes. Direct-mapped to libc's {@code syscall} with plain numbers, because a notification
 * pays for this call and JNA's interface mapping costs microseconds per call.
 */
public final class Futex
{
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;

    private static volatile long sysFutex;

    private final ThreadLocal<Memory> timespec = ThreadLocal.withInitial(() -> new Memory(16));

    private Futex()
    {
    }

    private static native long syscall(long number, long address, long op, long value, long timeout, long address2,
        long value3);

    /**
     * Binds libc's {@code syscall}.
     *
     * @throws UnsupportedOperationException off Linux on x86-64 or arm64, or when JNA cannot load libc
     */
    public static synchronized Futex load()
    {
        if (sysFutex == 0)
        {
            final String arch = System.getProperty("os.arch");
            final long number = "amd64".equals(arch) || "x86_64".equals(arch) ? 202 : "aarch64".equals(arch) ? 98 : 0;
            if (number == 0)
            {
                throw new UnsupportedOperationException("futexes are supported on Linux x86-64 and arm64, not " + arch);
            }
            try
            {
                Native.register(Futex.class, NativeLibrary.getInstance("c"));
            }
            catch (final UnsatisfiedLinkError e)
            {
                throw new UnsupportedOperationException("cannot bind libc's syscall through JNA: " + e.getMessage(), e);
            }
            sysFutex = number;
        }
        return new Futex();
    }

    /** The native address of a direct buffer's first byte; compute it once per mapping. */
    public static long address(final ByteBuffer buffer)
    {
        return Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    /**
     * Sleeps while the int at {@code address} (in a shared mapping) equals {@code expected}, at most
     * {@code timeoutNanos}. Returns early on a wake, a change, or a signal; the caller re-checks what
     * it waits for.
     */
    public void await(final long address, final int expected, final long timeoutNanos)
    {
        final Memory timeout = timespec.get();
        timeout.setLong(0, timeoutNanos / 1_000_000_000L);
        timeout.setLong(8, timeoutNanos % 1_000_000_000L);
        syscall(sysFutex, address, FUTEX_WAIT, expected, Pointer.nativeValue(timeout), 0, 0);
    }

    /** Wakes every process sleeping on the int at {@code address}. */
    public void wakeAll(final long address)
    {
        syscall(sysFutex, address, FUTEX_WAKE, Integer.MAX_VALUE, 0, 0, 0);
    }
}
