package io.tubes.ring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * The sending end of a stream-mode ring as a blocking {@link WritableByteChannel}: bytes go in as
 * records whose boundaries mean nothing; {@link #write} returns once all of them are in the ring.
 * Closing ends the stream; the reader drains it, then sees end of stream.
 */
public final class RingOutputChannel implements WritableByteChannel
{
    private final RingSender sender;
    private final int chunk;
    private boolean open = true;

    public RingOutputChannel(final RingWriter writer, final EventChannels events, final int port, final Waiting waiting)
    {
        if (writer.mode() != RingLayout.MODE_STREAM)
        {
            throw new IllegalArgumentException("this ring was formatted for packets, not a stream");
        }
        this.sender = new RingSender(writer, events, port, waiting);
        // Chunks that always fit whole, so that no stream write waits for the ring to empty entirely.
        this.chunk = Math.min(writer.maxPacket(), writer.dataSize() / 2 - RingLayout.HEADER);
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        if (!open)
        {
            throw new ClosedChannelException();
        }
        final int written = src.remaining();
        final int limit = src.limit();
        try
        {
            while (src.hasRemaining())
            {
                src.limit(src.position() + Math.min(chunk, limit - src.position()));
                sender.send(src);
                src.limit(limit);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new java.nio.channels.ClosedByInterruptException();
        }
        finally
        {
            src.limit(limit);
        }
        return written;
    }

    /**
     * Stops this side from any thread: a write waiting for room fails at once with a
     * {@link RingStoppedException} carrying {@code reason}, and so does every later write.
     */
    public void stop(final String reason) throws DriverException
    {
        sender.stop(reason);
    }

    /** Kicks sent to the receiver: a recent value, for statistics. */
    public long kicks()
    {
        return sender.kicks();
    }

    /** Waits for room on a full ring: a recent value, for statistics. */
    public long fullWaits()
    {
        return sender.fullWaits();
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public void close() throws DriverException
    {
        if (open)
        {
            open = false;
            sender.close();
        }
    }
}
