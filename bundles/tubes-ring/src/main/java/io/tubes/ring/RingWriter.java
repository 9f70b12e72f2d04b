package io.tubes.ring;

import java.nio.ByteBuffer;

/**
 * The producer's side of a ring. {@link #write} publishes a packet, or says the ring is full: it
 * never drops one. A packet larger than the ring goes in fragments as space frees up. Not thread
 * safe: one producer.
 */
public final class RingWriter
{
    /** {@link #write}: the whole packet is in the ring. */
    public static final int WRITTEN = 1;
    /** {@link #write}: part of the packet is in; call again with the rest when there is room. */
    public static final int PARTIAL = 2;
    /** {@link #write}: no room now; nothing was written. */
    public static final int FULL = 0;

    private final ByteBuffer control;
    private final ByteBuffer data;
    private final int dataSize;
    private final int maxPacket;
    private final int mode;
    private final KickCheck kicks;
    private long producer;
    private long consumerCache;
    private int packetLength;
    private int packetLeft;
    private final LiveWord consumerLive;

    private RingWriter(final ByteBuffer control, final ByteBuffer data, final int dataSize, final int maxPacket,
        final int mode, final long producer, final long consumer)
    {
        this.control = control;
        this.data = data;
        this.dataSize = dataSize;
        this.maxPacket = maxPacket;
        this.mode = mode;
        this.producer = producer;
        this.consumerCache = consumer;
        this.kicks = new KickCheck(control, RingLayout.CONSUMER_NOTIFY_OFFSET, RingLayout.PRODUCER_UNFENCED_OFFSET);
        this.consumerLive = new LiveWord(control, RingLayout.CONSUMER_LIVE_OFFSET);
    }

    /**
     * Attaches to a formatted ring as its producer.
     *
     * @throws RingException if the control page is not a valid ring
     */
    public static RingWriter attach(final ByteBuffer ring) throws RingException
    {
        return attach(RingLayout.control(ring), RingLayout.afterControl(ring));
    }

    /**
     * As {@link #attach(ByteBuffer)}, for a control page and a data area mapped apart. Sets this
     * side's live word, which the producer's unmap notification clears.
     */
    public static RingWriter attach(final ByteBuffer control, final ByteBuffer data) throws RingException
    {
        final RingReader.Header header = RingReader.Header.read(control, data.capacity());
        final int dataSize = header.dataSize();
        final ByteBuffer page = RingLayout.control(control);
        final ByteBuffer view = RingLayout.part(data, 0, dataSize, "the data area");
        final long stored = (long) Ring.LONG.getAcquire(page, RingLayout.PRODUCER_OFFSET);
        final long consumer = (long) Ring.LONG.getAcquire(page, RingLayout.CONSUMER_OFFSET);
        // The stored position trails the records published by less than a ring: their headers lead to the end.
        long producer = stored;
        while (consumer >= producer - dataSize && consumer <= producer + dataSize && (producer & 7) == 0)
        {
            final int fragment = (int) (long) Ring.LONG.getAcquire(view, (int) producer & (dataSize - 1))
                & ~RingLayout.MORE;
            if (fragment < 1 || fragment > RingLayout.maxRecordBody(dataSize))
            {
                break; // the slot after the last record, or not a record at all
            }
            producer += RingLayout.recordSize(fragment);
        }
        if (stored < 0 || consumer < 0 || consumer > producer || consumer < producer - dataSize
            || ((producer | consumer) & 7) != 0)
        {
            throw new RingException("the ring's positions are impossible: producer " + stored + " (its records end at "
                + producer + "), consumer " + consumer + " in a ring of " + dataSize + " bytes");
        }
        LiveWord.set(page, RingLayout.PRODUCER_LIVE_OFFSET);
        return new RingWriter(page, view, dataSize, header.maxPacket(), header.mode(), producer, consumer);
    }

    public int dataSize()
    {
        return dataSize;
    }

    public int maxPacket()
    {
        return maxPacket;
    }

    /** {@link RingLayout#MODE_PACKET} or {@link RingLayout#MODE_STREAM}, as the ring was formatted. */
    public int mode()
    {
        return mode;
    }

    /**
     * Writes the packet between {@code src}'s position and limit, advancing the position past what
     * was written.
     *
     * @return {@link #WRITTEN}, {@link #PARTIAL} or {@link #FULL}
     * @throws RingException when the consumer's position is impossible
     */
    public int write(final ByteBuffer src) throws RingException
    {
        final int length = src.remaining();
        final int at = offset();
        final int needed = RingLayout.spaceFor(length);
        // The common case apart, small enough for the JIT to inline into the caller (its compiled code under
        // InlineSmallCode): a fresh packet whose record, and the next header's slot, fit before the end of the data
        // area. A full ring is answered here too, so that a caller spinning on a full ring never makes writeAny hot
        // enough to be inlined into this method, which would then be too large to inline itself.
        if (packetLeft == 0 && length > 0 && length <= maxPacket && at + needed <= dataSize)
        {
            if (needed > dataSize - (int) (producer - consumerCache))
            {
                // Read the consumer's position /then/ reuse the space it freed. Only a position that frees room is
                // used, so only that one needs checking.
                final long consumer = (long) Ring.LONG.getAcquire(control, RingLayout.CONSUMER_OFFSET);
                if (needed > dataSize - (int) (producer - consumer))
                {
                    return FULL;
                }
                consumerCache = checked(consumer);
            }
            claim(at, RingLayout.recordSize(length));
            data.put(at + RingLayout.HEADER, src, src.position(), length);
            src.position(src.limit());
            // The producer position is left to writeAny, which writes each lap's last record (the one that reaches
            // the end of the data area): its store would make this code too large to inline.
            Ring.LONG.setRelease(data, at, header(length, false, length));
            return WRITTEN;
        }
        return writeAny(src);
    }

    /** {@link #write} in every case: fragments, wrapping, a full ring, errors. */
    private int writeAny(final ByteBuffer src) throws RingException
    {
        final boolean fresh = packetLeft == 0;
        final int left = fresh ? src.remaining() : packetLeft;
        if (fresh && (left < 1 || left > maxPacket))
        {
            throw new IllegalArgumentException("packet must be 1 to " + maxPacket + " bytes: length=" + left);
        }
        if (!fresh && src.remaining() != packetLeft)
        {
            throw new IllegalStateException("a packet is half written: give the rest of it (" + packetLeft
                + " bytes), not " + src.remaining());
        }
        // The consumer's position is read only when the cached one says there is no room: its cache line stays put.
        int free = dataSize - (int) (producer - consumerCache);
        if (free < RingLayout.spaceFor(left))
        {
            consumerCache = consumerPosition();
            free = dataSize - (int) (producer - consumerCache);
        }
        final int fragment = fragment(left, fresh, free);
        if (fragment == 0)
        {
            return fresh ? FULL : PARTIAL; // a refused fresh packet leaves no state behind
        }
        if (fresh)
        {
            packetLength = left;
        }
        final boolean more = fragment < left;
        final int at = offset();
        publish(at, putRecord(at, src, fragment, more, packetLength));
        packetLeft = left - fragment;
        return more ? PARTIAL : WRITTEN;
    }

    /**
     * Writes as many of {@code packets[offset .. offset+count)} as fit, whole, and publishes them at
     * once: the first record's header is stored last. A consumer then reads the batch in one go
     * instead of chasing each record as it lands, and the caller makes one kick check for it. Each
     * packet must fit in the ring whole (larger ones go through {@link #write}).
     *
     * @return how many packets were written (their positions advanced past them)
     */
    public int writeBatch(final ByteBuffer[] packets, final int offset, final int count) throws RingException
    {
        if (packetLeft != 0)
        {
            throw new IllegalStateException("a packet is half written: finish it with write() first");
        }
        int written = 0;
        int free = dataSize - (int) (producer - consumerCache);
        int firstAt = 0;
        long firstHeader = 0;
        for (int i = offset; i < offset + count; i++)
        {
            final ByteBuffer packet = packets[i];
            final int length = packet.remaining();
            final int needed = RingLayout.spaceFor(length);
            if (length < 1 || length > maxPacket || needed > dataSize)
            {
                throw new IllegalArgumentException("a batched packet must be 1 to " + Math.min(maxPacket,
                    RingLayout.maxRecordBody(dataSize)) + " bytes: length=" + length);
            }
            if (needed > free)
            {
                consumerCache = consumerPosition();
                free = dataSize - (int) (producer - consumerCache);
                if (needed > free)
                {
                    break;
                }
            }
            final int at = offset();
            final long header = putRecord(at, packet, length, false, length);
            if (written == 0)
            {
                firstAt = at;
                firstHeader = header;
            }
            else
            {
                data.putLong(at, header); // published by the first header's release
            }
            free -= RingLayout.recordSize(length);
            written++;
        }
        if (written > 0)
        {
            publish(firstAt, firstHeader); // which publishes the whole batch
        }
        return written;
    }

    /** The producer position's offset in the data area. */
    private int offset()
    {
        return (int) producer & (dataSize - 1);
    }

    /**
     * Writes one record at the producer position, data offset {@code at}, but its header, which it
     * returns for {@link #publish}, and moves past it. The caller checked that the record and the next
     * one's header slot are free.
     */
    private long putRecord(final int at, final ByteBuffer src, final int fragment, final boolean more, final int total)
    {
        claim(at, RingLayout.recordSize(fragment));
        Ring.copyIn(data, dataSize, (at + RingLayout.HEADER) & (dataSize - 1), src, fragment);
        return header(fragment, more, total);
    }

    /** Moves the producer position past the record of {@code size} bytes at data offset {@code at}. */
    private void claim(final int at, final int size)
    {
        producer += size;
        // The next header slot says "nothing yet" before this record is published. Stored before the body, it also
        // fetches a small record's second cache line while the header's store fetches the first, instead of one
        // after the other.
        data.putLong((at + size) & (dataSize - 1), 0);
    }

    /** A record's header: its fragment's length, whether more of the packet follows, the packet's length. */
    private static long header(final int fragment, final boolean more, final int total)
    {
        return (long) total << 32 | (fragment | (more ? RingLayout.MORE : 0)) & 0xFFFF_FFFFL;
    }

    /**
     * Stores the header at data offset {@code at}, which publishes its record and any written after it
     * whose headers are already stored (a batch).
     */
    private void publish(final int at, final long header)
    {
        // The position covers the record (or batch) before its header is seen. Every lap has such a record (see
        // write), so a consumer checking it finds its own lap covered.
        control.putLong(RingLayout.PRODUCER_OFFSET, producer);
        // The records and the position /then/ the header.
        Ring.LONG.setRelease(data, at, header);
    }

    /**
     * How much of a packet with {@code left} bytes to go goes in now, with {@code free} bytes free; 0
     * for none. A record keeps 8 bytes free behind it, for the next header's slot. A fresh packet that
     * fits the ring waits until it fits whole (no needless fragments); a larger one, or the rest of one,
     * goes in fragments of a quarter of the ring or more.
     */
    private int fragment(final int left, final boolean fresh, final int free)
    {
        final int needed = RingLayout.spaceFor(left);
        if (needed <= free)
        {
            return left;
        }
        if (fresh && needed <= dataSize || free < dataSize / 4)
        {
            return 0;
        }
        return (free - 2 * RingLayout.HEADER) & -RingLayout.ALIGNMENT;
    }

    /**
     * Whether {@link #write} would take a packet of {@code bytes}, or the rest of the one half written
     * (then {@code bytes} is that rest), or part of it, now: what a sender waiting for room waits for.
     */
    boolean hasRoomFor(final int bytes) throws RingException
    {
        return fragment(bytes, packetLeft == 0, free()) > 0;
    }

    /** Bytes free now, as far as this side can tell. */
    public int free() throws RingException
    {
        consumerCache = consumerPosition();
        return dataSize - (int) (producer - consumerCache);
    }

    /**
     * Whether the consumer asked to be woken: then kick the event channel. Clears the request.
     * Call after writing.
     */
    public boolean consumerWantsKick()
    {
        return kicks.peerWantsKick();
    }

    /**
     * Asks the consumer to kick when it frees space; call when the ring is full, then check
     * {@link #free()} again before sleeping, or a kick may be missed.
     *
     * @return whether the consumer looks at requests without fences now, and may miss this one: then
     *         sleep only briefly before checking again
     */
    public boolean requestKick()
    {
        return KickCheck.request(control, RingLayout.PRODUCER_NOTIFY_OFFSET, RingLayout.CONSUMER_UNFENCED_OFFSET);
    }

    /** Whether the consumer said it will read no more. */
    public boolean consumerClosed()
    {
        return (int) Ring.INT.getVolatile(control, RingLayout.CONSUMER_CLOSED_OFFSET) != 0;
    }

    /**
     * Whether the consumer is gone: Xen's unmap notification cleared its live word, because its
     * process ended or let go of the ring (a consumer that has not attached yet is not gone).
     */
    public boolean consumerGone()
    {
        return consumerLive.gone();
    }

    /** Says no more records will come; the consumer drains what is there, then sees the end. Kick after. */
    public void close()
    {
        // The position covers every record: the consumer checks it at the end.
        control.putLong(RingLayout.PRODUCER_OFFSET, producer);
        // Every record and the position /then/ the closed flag.
        Ring.INT.setRelease(control, RingLayout.PRODUCER_CLOSED_OFFSET, 1);
    }

    private long consumerPosition() throws RingException
    {
        // Read the consumer's position /then/ reuse the space it freed.
        return checked((long) Ring.LONG.getAcquire(control, RingLayout.CONSUMER_OFFSET));
    }

    /** The consumer's position {@code consumer} if it is possible; the error is built apart, out of the hot code. */
    private long checked(final long consumer) throws RingException
    {
        if (consumer > producer || consumer < consumerCache || (consumer & (RingLayout.ALIGNMENT - 1)) != 0)
        {
            throw impossible(consumer);
        }
        return consumer;
    }

    private RingException impossible(final long consumer)
    {
        return new RingException("the consumer's position " + consumer + " is impossible: it was " + consumerCache
            + " and this side has written up to " + producer + " in a ring of " + dataSize + " bytes");
    }
}
