package io.tubes.sim.protocol;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The shared page of one event-channel handle: the ports bound through it, which of them are
 * pending, and a futex word its waiter sleeps on. The host writes the port table (it is the
 * hypervisor: binding goes through it); a notifier sets the pending bit of the peer's port in the
 * peer's page and wakes it, without the host.
 *
 * <pre>
 *   0  int  sequence      bumped on every notification; the waiter's futex word
 *   4  int  waiters       threads sleeping on the sequence (a notifier wakes only if &gt; 0)
 *   8  int  owner domid
 *  12  int  handle id
 *  64  bits pending       one bit per port, MAX_PORTS bits
 * 256  port table         MAX_PORTS entries of 16 bytes:
 *        +0 int state (FREE, UNBOUND, CONNECTED, PEER_GONE)  +4 int remote domid
 *        +8 int remote port                                   +12 int remote handle id
 * </pre>
 */
public final class EventPage
{
    /** Ports per domain (Xen's 2-level event channels allow 4096 for 64-bit guests; we need fewer). */
    public static final int MAX_PORTS = 1024;

    public static final int FREE = 0;
    public static final int UNBOUND = 1;
    public static final int CONNECTED = 2;
    public static final int PEER_GONE = 3;

    static final int SEQUENCE = 0;
    static final int WAITERS = 4;
    static final int OWNER = 8;
    static final int HANDLE = 12;
    static final int PENDING = 64;
    static final int PORTS = 256;
    static final int ENTRY = 16;
    public static final int SIZE = PORTS + MAX_PORTS * ENTRY;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final MappedByteBuffer page;
    private final Futex futex;
    private final long sequenceAddress;

    private EventPage(final MappedByteBuffer page, final Futex futex)
    {
        this.page = page;
        this.futex = futex;
        this.sequenceAddress = Futex.address(page) + SEQUENCE;
    }

    /** Creates a zeroed page file for handle {@code handle} of domain {@code owner}. */
    public static EventPage create(final Path file, final int owner, final int handle, final Futex futex)
        throws IOException
    {
        final EventPage page = map(file, futex, StandardOpenOption.CREATE_NEW);
        INT.setVolatile(page.page, OWNER, owner);
        INT.setVolatile(page.page, HANDLE, handle);
        return page;
    }

    /** Maps an existing page file. */
    public static EventPage open(final Path file, final Futex futex) throws IOException
    {
        return map(file, futex);
    }

    private static EventPage map(final Path file, final Futex futex, final StandardOpenOption... extra)
        throws IOException
    {
        final StandardOpenOption[] options = new StandardOpenOption[extra.length + 2];
        options[0] = StandardOpenOption.READ;
        options[1] = StandardOpenOption.WRITE;
        System.arraycopy(extra, 0, options, 2, extra.length);
        try (FileChannel channel = FileChannel.open(file, options))
        {
            final MappedByteBuffer page = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            page.order(ByteOrder.nativeOrder());
            return new EventPage(page, futex);
        }
    }

    public int owner()
    {
        return (int) INT.getVolatile(page, OWNER);
    }

    public int handle()
    {
        return (int) INT.getVolatile(page, HANDLE);
    }

    /** The state of {@code port}. */
    public int state(final int port)
    {
        return (int) INT.getVolatile(page, PORTS + port * ENTRY);
    }

    public int remoteDomid(final int port)
    {
        return (int) INT.getVolatile(page, PORTS + port * ENTRY + 4);
    }

    public int remotePort(final int port)
    {
        return (int) INT.getVolatile(page, PORTS + port * ENTRY + 8);
    }

    public int remoteHandle(final int port)
    {
        return (int) INT.getVolatile(page, PORTS + port * ENTRY + 12);
    }

    /** Sets a port's entry; the state last, so a reader that sees the state sees the rest. */
    public void setEntry(final int port, final int state, final int remoteDomid, final int remotePort,
        final int remoteHandle)
    {
        final int at = PORTS + port * ENTRY;
        INT.setVolatile(page, at + 4, remoteDomid);
        INT.setVolatile(page, at + 8, remotePort);
        INT.setVolatile(page, at + 12, remoteHandle);
        INT.setVolatile(page, at, state);
    }

    /** Marks {@code port} pending and wakes the waiter, if one sleeps. */
    public void raise(final int port)
    {
        INT.getAndBitwiseOr(page, PENDING + (port >>> 5) * 4, 1 << (port & 31));
        wakeWaiter(); // after the bit: a waiter that sees the new sequence sees the bit
    }

    /**
     * Moves the sequence on and wakes the waiter, if one sleeps, without marking a port: what
     * makes a waiter look again at something it keeps itself.
     */
    public void wakeWaiter()
    {
        INT.getAndAdd(page, SEQUENCE, 1);
        if ((int) INT.getVolatile(page, WAITERS) > 0)
        {
            futex.wakeAll(sequenceAddress);
        }
    }

    /**
     * Takes a pending port that is not in {@code masked} (a bitmap of the same shape), clearing its
     * bit, or returns -1 when there is none.
     */
    public int takePending(final int[] masked)
    {
        for (int word = 0; word < MAX_PORTS / 32; word++)
        {
            final int offset = PENDING + word * 4;
            int bits = (int) INT.getVolatile(page, offset) & ~masked[word];
            while (bits != 0)
            {
                final int bit = Integer.lowestOneBit(bits);
                final int before = (int) INT.getAndBitwiseAnd(page, offset, ~bit);
                if ((before & bit) != 0)
                {
                    return word * 32 + Integer.numberOfTrailingZeros(bit);
                }
                bits &= ~bit;
            }
        }
        return -1;
    }

    /** The sequence now; pass it to {@link #await} after finding nothing pending. */
    public int sequence()
    {
        return (int) INT.getVolatile(page, SEQUENCE);
    }

    /** Sleeps until the sequence moves past {@code seen} or {@code timeoutNanos} pass. */
    public void await(final int seen, final long timeoutNanos)
    {
        INT.getAndAdd(page, WAITERS, 1);
        try
        {
            // The sequence is re-checked by the kernel under the futex: a raise in between is not lost.
            futex.await(sequenceAddress, seen, timeoutNanos);
        }
        finally
        {
            INT.getAndAdd(page, WAITERS, -1);
        }
    }
}
