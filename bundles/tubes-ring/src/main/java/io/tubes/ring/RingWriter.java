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

    private final ByteBuffer ring;
    private final int dataSize;
    private final int maxPacket;
    private final int mode;
    private final KickCheck kicks;
    private long producer;
    private long consumerCache;
    private int packetLength;
    private int packetLeft;

    private RingWriter(final ByteBuffer ring, final int dataSize, final int maxPacket, final int mode,
        final long producer, final long consumer)
    {
        this.ring = ring;
        this.dataSize = dataSize;
        this.maxPacket = maxPacket;
        this.mode = mode;
        this.producer = producer;
        this.consumerCache = consumer;
        this.kicks = new KickCheck(ring, RingLayout.CONSUMER_NOTIFY_OFFSET, RingLayout.PRODUCER_UNFENCED_OFFSET);
    }

    /**
     * Attaches to a formatted ring as its producer.
     *
     * @throws RingException if the control page is not a valid ring
     */
    public static RingWriter attach(final ByteBuffer ring) throws RingException
    {
        final RingReader.Header header = RingReader.Header.read(ring);
        final ByteBuffer view = RingLayout.view(ring, header.dataSize());
        final long producer = (long) Ring.LONG.getAcquire(view, RingLayout.PRODUCER_OFFSET);
        final long consumer = (long) Ring.LONG.getAcquire(view, RingLayout.CONSUMER_OFFSET);
        if (consumer > producer || consumer < producer - header.dataSize() || ((producer | consumer) & 7) != 0)
        {
            throw new RingException("the ring's positions are impossible: producer " + producer + ", consumer "
                + consumer + " in a ring of " + header.dataSize() + " bytes");
        }
        return new RingWriter(view, header.dataSize(), header.maxPacket(), header.mode(), producer, consumer);
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
        final int whole = RingLayout.recordSize(left);
        // The consumer's position is read only when the cached one says there is no room: its cache line stays put.
        int free = dataSize - (int) (producer - consumerCache);
        if (free < whole)
        {
            consumerCache = consumerPosition();
            free = dataSize - (int) (producer - consumerCache);
        }
        final int fragment;
        if (whole <= free)
        {
            fragment = left;
        }
        else if (fresh && whole <= dataSize)
        {
            return FULL; // it fits once the consumer catches up: no needless fragments
        }
        else if (free >= Math.min(dataSize / 4, whole))
        {
            fragment = (free - RingLayout.HEADER) & -RingLayout.ALIGNMENT;
        }
        else
        {
            return fresh ? FULL : PARTIAL; // a refused fresh packet leaves no state behind
        }
        if (fresh)
        {
            packetLength = left;
        }
        final boolean more = fragment < left;
        putRecord(src, fragment, more, packetLength);
        packetLeft = left - fragment;
        // Write the record /then/ publish it: the consumer reads nothing past the position it sees.
        Ring.LONG.setRelease(ring, RingLayout.PRODUCER_OFFSET, producer);
        return more ? PARTIAL : WRITTEN;
    }

    /**
     * Writes as many of {@code packets[offset .. offset+count)} as fit, whole, and publishes them at
     * once: one release store and, later, one kick check for the batch. Each packet must fit in the
     * ring whole (larger ones go through {@link #write}).
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
        for (int i = offset; i < offset + count; i++)
        {
            final ByteBuffer packet = packets[i];
            final int length = packet.remaining();
            if (length < 1 || length > maxPacket || RingLayout.recordSize(length) > dataSize)
            {
                throw new IllegalArgumentException("a batched packet must be 1 to " + Math.min(maxPacket,
                    dataSize - RingLayout.HEADER) + " bytes: length=" + length);
            }
            if (RingLayout.recordSize(length) > free)
            {
                consumerCache = consumerPosition();
                free = dataSize - (int) (producer - consumerCache);
                if (RingLayout.recordSize(length) > free)
                {
                    break;
                }
            }
            putRecord(packet, length, false, length);
            free -= RingLayout.recordSize(length);
            written++;
        }
        if (written > 0)
        {
            // Write the records /then/ publish them, all at once.
            Ring.LONG.setRelease(ring, RingLayout.PRODUCER_OFFSET, producer);
        }
        return written;
    }

    /** Writes one record at the producer position and moves past it; publishing is the caller's. */
    private void putRecord(final ByteBuffer src, final int fragment, final boolean more, final int total)
    {
        final int at = (int) producer & (dataSize - 1);
        ring.putInt(RingLayout.CONTROL_SIZE + at, fragment | (more ? RingLayout.MORE : 0));
        ring.putInt(RingLayout.CONTROL_SIZE + at + 4, total);
        final int size = RingLayout.recordSize(fragment);
        if (at + size <= dataSize)
        {
            // The record's last word /before/ its body (which overwrites it): while the consumer's core holds a small
            // record's two cache lines, the header's store sends for one and this store for the other, at once. A
            // spinning 64-byte round trip took 0.67 to 0.76 µs without it, 0.50 to 0.59 µs with it (the JDK's copy
            // stub seems to fetch the lines one after the other). It costs 2 to 3 ns a packet in one thread.
            ring.putLong(RingLayout.CONTROL_SIZE + at + size - Long.BYTES, 0);
        }
        Ring.copyIn(ring, dataSize, (at + RingLayout.HEADER) & (dataSize - 1), src, fragment);
        producer += size;
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
        return KickCheck.request(ring, RingLayout.PRODUCER_NOTIFY_OFFSET, RingLayout.CONSUMER_UNFENCED_OFFSET);
    }

    /** Whether the consumer said it will read no more. */
    public boolean consumerClosed()
    {
        return (int) Ring.INT.getVolatile(ring, RingLayout.CONSUMER_CLOSED_OFFSET) != 0;
    }

    /** Says no more records will come; the consumer drains what is there, then sees the end. Kick after. */
    public void close()
    {
        // Every record published /then/ the closed flag.
        Ring.INT.setRelease(ring, RingLayout.PRODUCER_CLOSED_OFFSET, 1);
    }

    private long consumerPosition() throws RingException
    {
        // Read the consumer's position /then/ reuse the space it freed.
        final long consumer = (long) Ring.LONG.getAcquire(ring, RingLayout.CONSUMER_OFFSET);
        if (consumer > producer || consumer < consumerCache || (consumer & (RingLayout.ALIGNMENT - 1)) != 0)
        {
            throw new RingException("the consumer's position " + consumer + " is impossible: it was " + consumerCache
                + " and this side has written up to " + producer + " in a ring of " + dataSize + " bytes");
        }
        return consumer;
    }
}
