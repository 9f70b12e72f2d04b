package io.tubes.ring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * The receiving end of a stream-mode ring as a blocking {@link ReadableByteChannel}: {@link #read}
 * waits for at least one byte, takes as many as are there and fit, and returns -1 at the end of the
 * stream. Records are read straight into the caller's buffer when it has room for any record, else
 * through a staging buffer allocated once. {@link #readInPlace} hands the bytes over without copying
 * them.
 */
public final class RingInputChannel implements ReadableByteChannel
{
    /** Records one {@link #readInPlace} hands over at most: a reader that never catches up still returns. */
    private static final int IN_PLACE_RECORDS = 64;

    private final RingReader reader;
    private final RingReceiver receiver;
    private final ByteBuffer staged;
    private final PacketHandler counting;
    private PacketHandler target;
    private long handed;
    private boolean ended;
    private boolean open = true;

    public RingInputChannel(final RingReader reader, final EventChannels events, final int port, final Waiting waiting)
    {
        if (reader.mode() != RingLayout.MODE_STREAM)
        {
            throw new IllegalArgumentException("this ring was formatted for packets, not a stream");
        }
        this.reader = reader;
        this.receiver = new RingReceiver(reader, events, port, waiting);
        this.staged = ByteBuffer.allocate(reader.maxPacket()).flip();
        // Made once: a read in place allocates nothing.
        this.counting = bytes ->
        {
            handed += bytes.remaining();
            target.onPacket(bytes);
        };
    }

    /**
     * Waits for bytes and hands those that are there (up to 64 records) to {@code handler} without
     * copying them, as read-only views in order (of the ring, or of the staging buffer for what a
     * {@link #read} left there), each valid only during its call. The peer could change bytes of a
     * view while they are read: copy what must stay stable.
     *
     * @return how many bytes were handed over, or -1 at the end of the stream
     */
    public long readInPlace(final PacketHandler handler) throws IOException
    {
        if (!open)
        {
            throw new ClosedChannelException();
        }
        handed = 0;
        target = handler;
        if (staged.hasRemaining())
        {
            counting.onPacket(staged.asReadOnlyBuffer());
            staged.position(staged.limit());
            return handed;
        }
        if (ended)
        {
            return -1;
        }
        try
        {
            ended = receiver.receive(counting, IN_PLACE_RECORDS) == RingReader.END;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException();
        }
        finally
        {
            target = null;
        }
        return ended ? -1 : handed;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        if (!open)
        {
            throw new ClosedChannelException();
        }
        final int before = dst.position();
        try
        {
            while (dst.hasRemaining())
            {
                if (staged.hasRemaining())
                {
                    final int n = Math.min(staged.remaining(), dst.remaining());
                    dst.put(dst.position(), staged, staged.position(), n);
                    dst.position(dst.position() + n);
                    staged.position(staged.position() + n);
                    continue;
                }
                if (ended || dst.position() > before && !reader.hasData())
                {
                    break; // some bytes, and no more waiting: a stream read returns what is there
                }
                if (dst.remaining() >= reader.maxPacket())
                {
                    ended = receiver.receive(dst) == RingReader.END;
                }
                else
                {
                    ended = receiver.receive(staged.clear()) == RingReader.END;
                    staged.flip(); // empty at the end: nothing was put in
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException();
        }
        final int read = dst.position() - before;
        return read == 0 && ended ? -1 : read;
    }

    /**
     * Stops this side from any thread: a read waiting for bytes fails at once with a
     * {@link RingStoppedException} carrying {@code reason}, and so does every later read.
     */
    public void stop(final String reason) throws DriverException
    {
        receiver.stop(reason);
    }

    /** Kicks sent to the sender: a recent value, for statistics. */
    public long kicks()
    {
        return receiver.kicks();
    }

    /** Waits for bytes: a recent value, for statistics. */
    public long waits()
    {
        return receiver.waits();
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public void close()
    {
        if (open)
        {
            open = false;
            reader.close();
        }
    }
}
