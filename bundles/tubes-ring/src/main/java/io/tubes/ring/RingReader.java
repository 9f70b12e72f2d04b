package io.tubes.ring;

import java.nio.ByteBuffer;

/**
 * The consumer's side of a ring, which trusts nothing in shared memory: every position, length and
 * flag is read once into a local, checked against the ring's bounds and what came before, and any
 * violation fails the ring with a {@link RingException} that says what was wrong. The sizes it works
 * with are its own copies, taken when it attached. It allocates nothing per packet. Not thread safe:
 * one consumer.
 */
public final class RingReader
{
    /** {@link #read}: no whole packet is there yet. */
    public static final int EMPTY = -1;
    /** {@link #read}: the producer closed the ring and everything it wrote has been read. */
    public static final int END = -2;

    /** The fixed part of a ring's control page, checked. */
    record Header(int dataSize, int maxPacket, int mode)
    {
        /** Reads a control page whose data area has {@code dataMapped} bytes mapped. */
        static Header read(final ByteBuffer control, final int dataMapped) throws RingException
        {
            if (control.capacity() < RingLayout.CONTROL_SIZE)
            {
                throw new IllegalArgumentException("a ring needs at least its control page: capacity="
                    + control.capacity());
            }
            final ByteBuffer view = RingLayout.control(control);
            // The magic /then/ the fields it vouches for.
            final int magic = (int) Ring.INT.getAcquire(view, RingLayout.MAGIC_OFFSET);
            if (magic != RingLayout.MAGIC)
            {
                throw new RingException(String.format("not a ring: magic is 0x%08x, expected 0x%08x", magic,
                    RingLayout.MAGIC));
            }
            final int version = view.getShort(RingLayout.VERSION_OFFSET) & 0xFFFF;
            final int mode = view.getShort(RingLayout.MODE_OFFSET) & 0xFFFF;
            final int dataSize = view.getInt(RingLayout.DATA_SIZE_OFFSET);
            final int maxPacket = view.getInt(RingLayout.MAX_PACKET_OFFSET);
            if (version != RingLayout.VERSION)
            {
                throw new RingException("ring version " + version + " is not supported (this side speaks "
                    + RingLayout.VERSION + ")");
            }
            if (mode != RingLayout.MODE_PACKET && mode != RingLayout.MODE_STREAM)
            {
                throw new RingException("ring mode " + mode + " is unknown");
            }
            try
            {
                RingLayout.checkDataSize(dataSize);
                RingLayout.checkMaxPacket(maxPacket);
            }
            catch (final IllegalArgumentException e)
            {
                throw new RingException("the ring's control page is invalid: " + e.getMessage());
            }
            if (dataMapped < dataSize)
            {
                throw new RingException("the ring says it has " + dataSize + " data bytes, but only " + dataMapped
                    + " are mapped");
            }
            return new Header(dataSize, maxPacket, mode);
        }
    }

    private final ByteBuffer control;
    private final ByteBuffer data;
    private final int dataSize;
    private final int maxPacket;
    private final int mode;
    private final KickCheck kicks;
    private long consumer;
    /** This side's position when it last checked the producer's. */
    private long checkedAt;
    private long lastProducer;
    private int packetLength;
    private int received;
    /** The buffer holding what came so far of a packet in fragments, from {@link #partialFrom}: read's or scratch. */
    private ByteBuffer partial;
    private int partialFrom;
    private RingException failure;
    private ByteBuffer view;
    private ByteBuffer scratch;
    private ByteBuffer scratchView;
    private final LiveWord producerLive;

    private RingReader(final ByteBuffer control, final ByteBuffer data, final int dataSize, final int maxPacket,
        final int mode, final long consumer)
    {
        this.control = control;
        this.data = data;
        this.dataSize = dataSize;
        this.maxPacket = maxPacket;
        this.mode = mode;
        this.consumer = consumer;
        this.checkedAt = consumer;
        this.lastProducer = consumer;
        this.kicks = new KickCheck(control, RingLayout.PRODUCER_NOTIFY_OFFSET, RingLayout.CONSUMER_UNFENCED_OFFSET);
        this.producerLive = new LiveWord(control, RingLayout.PRODUCER_LIVE_OFFSET);
    }

    /**
     * Attaches to a formatted ring as its consumer, accepting packets up to {@code maxPacket} bytes
     * (this side's limit; the ring's own, set by the peer, is not trusted beyond it).
     */
    public static RingReader attach(final ByteBuffer ring, final int maxPacket) throws RingException
    {
        return attach(RingLayout.control(ring), RingLayout.afterControl(ring), maxPacket);
    }

    /**
     * As {@link #attach(ByteBuffer, int)}, for a control page and a data area mapped apart. Sets this
     * side's live word, which the consumer's unmap notification clears.
     */
    public static RingReader attach(final ByteBuffer control, final ByteBuffer data, final int maxPacket)
        throws RingException
    {
        RingLayout.checkMaxPacket(maxPacket);
        final Header header = Header.read(control, data.capacity());
        final ByteBuffer page = RingLayout.control(control);
        final long consumer = (long) Ring.LONG.getAcquire(page, RingLayout.CONSUMER_OFFSET);
        if (consumer < 0 || (consumer & (RingLayout.ALIGNMENT - 1)) != 0)
        {
            throw new RingException("the ring's consumer position " + consumer + " is invalid");
        }
        LiveWord.set(page, RingLayout.CONSUMER_LIVE_OFFSET);
        return new RingReader(page, RingLayout.part(data, 0, header.dataSize(), "the data area"), header.dataSize(),
            Math.min(maxPacket, header.maxPacket()), header.mode(), consumer);
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
     * Copies the next packet into {@code dst} (which must have room for it: {@link #maxPacket()}
     * bytes always suffice) and returns its length; or {@link #EMPTY} when no whole packet is there
     * yet, or {@link #END}. A packet larger than the ring arrives in fragments: until it is whole,
     * the part that came stays in the buffer it went to, and the next {@code read} or {@link #poll}
     * goes on from there (a read with another buffer first copies that part into it), so every
     * mix of the two delivers each byte once and in order.
     *
     * @throws RingException when the producer broke the protocol; every later call throws it again
     */
    public int read(final ByteBuffer dst) throws RingException
    {
        if (failure != null)
        {
            throw failure;
        }
        if (received != 0 && (partial != dst || dst.position() != partialFrom + received))
        {
            if (dst.remaining() < packetLength)
            {
                throw new IllegalArgumentException("the next packet is " + packetLength
                    + " bytes; the buffer has room for " + dst.remaining());
            }
            takePartial(dst);
        }
        final long before = consumer;
        try
        {
            return readRecords(dst);
        }
        finally
        {
            publish(before);
        }
    }

    /** Copies records into {@code dst} until a packet is whole; hands no space back (the caller does, once). */
    private int readRecords(final ByteBuffer dst) throws RingException
    {
        while (true)
        {
            final long header = nextHeader();
            if (header == 0)
            {
                return endOrEmpty();
            }
            final int lengthWord = (int) header;
            final int total = (int) (header >>> 32);
            final int fragment = lengthWord & ~RingLayout.MORE;
            final boolean more = (lengthWord & RingLayout.MORE) != 0;
            checkRecord(fragment, total, more, dst.remaining());
            if (received == 0)
            {
                packetLength = total;
                partial = dst;
                partialFrom = dst.position();
            }
            final int at = (int) consumer & (dataSize - 1);
            Ring.copyOut(data, dataSize, (at + RingLayout.HEADER) & (dataSize - 1), dst, fragment);
            consumer += RingLayout.recordSize(fragment);
            if (!more)
            {
                received = 0;
                partial = null;
                return total;
            }
            received += fragment;
        }
    }

    /**
     * The header at this side's position: not 0 when a record is published there. Every half ring
     * read, the producer's position is checked first: a forged ring whose position never moves feeds
     * this side at most two rings and a half past that position.
     */
    private long nextHeader() throws RingException
    {
        if (consumer - checkedAt >= dataSize / 2)
        {
            checkProducer();
        }
        return published();
    }

    /** The header at this side's position, read /before/ the record it publishes. */
    private long published()
    {
        return (long) Ring.LONG.getAcquire(data, (int) consumer & (dataSize - 1));
    }

    /**
     * Once no record is published at this side's position: {@link #END} if the producer closed,
     * else {@link #EMPTY} (look again later).
     */
    private int endOrEmpty() throws RingException
    {
        // The closed flag /then/ the header again: a record published before the close is not missed.
        if (!producerClosed() || published() != 0)
        {
            return EMPTY;
        }
        if (received != 0)
        {
            throw fail("the producer closed the ring in the middle of a " + packetLength + "-byte packet (" + received
                + " bytes came)");
        }
        final long producer = checkProducer();
        if (producer != consumer)
        {
            throw fail("the producer closed the ring with its position at " + producer + ", but published records only"
                + " up to " + consumer);
        }
        return END;
    }

    /** Moves the part of a packet in fragments received so far to the front of {@code dst}, which goes on with it. */
    private void takePartial(final ByteBuffer dst)
    {
        // An absolute bulk put copies as memmove does: the part may move within one buffer.
        dst.put(dst.position(), partial, partialFrom, received);
        partial = dst;
        partialFrom = dst.position();
        dst.position(partialFrom + received);
    }

    private void publish(final long before)
    {
        if (consumer != before)
        {
            // Finish reading the records /then/ hand their space back to the producer.
            Ring.LONG.setRelease(control, RingLayout.CONSUMER_OFFSET, consumer);
        }
    }

    private void checkRecord(final int fragment, final int total, final boolean more, final int room)
        throws RingException
    {
        if (fragment < 1 || fragment > RingLayout.maxRecordBody(dataSize))
        {
            throw fail("a record at position " + consumer + " says it holds " + fragment + " bytes; a record in this "
                + dataSize + "-byte ring holds 1 to " + RingLayout.maxRecordBody(dataSize));
        }
        if (total < 1 || total > maxPacket)
        {
            throw fail("a packet at position " + consumer + " says it is " + total + " bytes; this side accepts 1 to "
                + maxPacket);
        }
        if (received == 0)
        {
            if (more ? fragment >= total : fragment != total)
            {
                throw fail("the first fragment at position " + consumer + " holds " + fragment + " of " + total
                    + " bytes" + (more ? " yet says more follow" : " and says it is the last"));
            }
            if (room < total)
            {
                throw new IllegalArgumentException("the next packet is " + total + " bytes; the buffer has room for "
                    + room);
            }
        }
        else if (total != packetLength || (more ? received + fragment >= total : received + fragment != total))
        {
            throw fail("a fragment at position " + consumer + " does not continue the " + packetLength
                + "-byte packet (" + received + " bytes so far): it says " + fragment + " of " + total
                + (more ? ", more to come" : ", last"));
        }
    }

    /**
     * Hands up to {@code limit} whole packets to {@code handler} without copying them, where the ring
     * allows: a packet in one piece is a view of the ring; one that wrapped or came in fragments is
     * assembled in a scratch buffer first (allocated once). Space is handed back to the producer after
     * the last packet of the call, and along the way whenever an eighth of the ring has been handled
     * (a packet's space only once its handler returned).
     *
     * @return how many packets were handled, or {@link #END}
     * @throws RingException when the producer broke the protocol
     */
    public int poll(final PacketHandler handler, final int limit) throws RingException
    {
        if (failure != null)
        {
            throw failure;
        }
        if (view == null)
        {
            view = data.asReadOnlyBuffer().order(data.order());
        }
        long before = consumer;
        int handled = 0;
        try
        {
            while (handled < limit)
            {
                final long header = nextHeader();
                if (header == 0)
                {
                    return endOrEmpty() == END && handled == 0 ? END : handled;
                }
                final int total = (int) (header >>> 32);
                final int body = ((int) consumer + RingLayout.HEADER) & (dataSize - 1);
                if (received == 0 && (int) header == total && body + total <= dataSize)
                {
                    checkRecord(total, total, false, Integer.MAX_VALUE);
                    view.limit(body + total).position(body);
                    consumer += RingLayout.recordSize(total);
                    handler.onPacket(view);
                    if (consumer - before >= dataSize / 8)
                    {
                        // A producer waiting for room gets it while the rest of the call's packets are handled.
                        publish(before);
                        before = consumer;
                    }
                }
                else
                {
                    if (scratch == null)
                    {
                        scratch = ByteBuffer.allocate(maxPacket);
                        scratchView = scratch.asReadOnlyBuffer();
                    }
                    if (received == 0)
                    {
                        scratch.clear();
                    }
                    else if (partial != scratch)
                    {
                        takePartial(scratch.clear()); // a read began the packet
                    }
                    final int length = readRecords(scratch);
                    if (length < 0)
                    {
                        return handled; // the rest of a packet in fragments is still to come
                    }
                    handler.onPacket(scratchView.limit(length).position(0));
                }
                handled++;
            }
            return handled;
        }
        finally
        {
            publish(before);
        }
    }

    /**
     * Reads and checks the producer's position, which the producer stores at least once a lap, so it
     * covers this side's position rounded down to a whole number of rings; returns it.
     */
    private long checkProducer() throws RingException
    {
        final long producer = (long) Ring.LONG.getAcquire(control, RingLayout.PRODUCER_OFFSET);
        if (producer < (consumer & -(long) dataSize) || producer < lastProducer || producer - consumer > dataSize
            || (producer & (RingLayout.ALIGNMENT - 1)) != 0)
        {
            throw fail("the producer's position is " + producer + " (it was " + lastProducer + ") while this side has"
                + " read up to " + consumer + " of a " + dataSize + "-byte ring");
        }
        lastProducer = producer;
        checkedAt = consumer;
        return producer;
    }

    /** Whether a record is published and not yet read. */
    public boolean hasData() throws RingException
    {
        if (failure != null)
        {
            throw failure;
        }
        return published() != 0;
    }

    /**
     * Whether a read would not find the ring empty and open: a record is published, or the
     * producer closed (what a receiver waits for, so that a producer that closes and leaves is seen
     * as the end and not as a peer gone).
     */
    public boolean hasDataOrEnd() throws RingException
    {
        return hasData() || producerClosed();
    }

    /**
     * Asks the producer to kick when it publishes; call before sleeping, then check {@link #hasData()}
     * again, or a kick may be missed.
     *
     * @return whether the producer looks at requests without fences now, and may miss this one: then
     *         sleep only briefly before checking again
     */
    public boolean requestKick()
    {
        return KickCheck.request(control, RingLayout.CONSUMER_NOTIFY_OFFSET, RingLayout.PRODUCER_UNFENCED_OFFSET);
    }

    /** Whether the producer asked to be woken when space frees: then kick. Clears the request. Call after reading. */
    public boolean producerWantsKick()
    {
        return kicks.peerWantsKick();
    }

    /** Says this side reads no more; the producer's writes then have nowhere to go. */
    public void close()
    {
        Ring.INT.setRelease(control, RingLayout.CONSUMER_CLOSED_OFFSET, 1);
    }

    private boolean producerClosed()
    {
        return (int) Ring.INT.getAcquire(control, RingLayout.PRODUCER_CLOSED_OFFSET) != 0;
    }

    /**
     * Whether the producer is gone: Xen's unmap notification cleared its live word, because its
     * process ended or let go of the ring (a producer that has not attached yet is not gone).
     */
    public boolean producerGone()
    {
        return producerLive.gone();
    }

    private RingException fail(final String why)
    {
        failure = new RingException("the peer broke the ring: " + why);
        return failure;
    }
}
