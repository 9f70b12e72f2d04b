package io.tubes.handshake.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.ring.PacketHandler;
import io.tubes.ring.RingException;
import io.tubes.ring.RingReader;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeHandler;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeReader;

/**
 * The reading side of a tube end, as its holder took it: every call enters the ring's guard, and
 * counts. Reaching the end of what the peer sent tells the end, which then frees the tube if the
 * peer had closed it.
 */
final class EndReader implements TubeReader, ReadableByteChannel
{
    private final TubeEnd end;
    private final Rings rings;
    private final PacketHandler inPlace;
    /** A stream's bytes in place, counted by the call that hands them. */
    private final PacketHandler streamInPlace;
    private TubeHandler target;
    private volatile boolean held = true;

    EndReader(final TubeEnd end)
    {
        this.end = end;
        this.rings = end.rings;
        // Made once: a read in place allocates nothing.
        this.inPlace = packet ->
        {
            end.packetsReceived++;
            end.bytesReceived += packet.remaining();
            target.onPacket(packet);
        };
        this.streamInPlace = bytes -> target.onPacket(bytes);
    }

    @Override
    public int receive(final ByteBuffer dst) throws IOException, InterruptedException
    {
        enter(TubeMode.PACKET);
        try
        {
            return counted(rings.receiver.receive(dst));
        }
        catch (final RingException | DriverException e)
        {
            throw Failures.of(end, e);
        }
        finally
        {
            rings.receiving.leave();
        }
    }

    @Override
    public int receive(final ByteBuffer dst, final long timeout, final TimeUnit unit)
        throws IOException, InterruptedException
    {
        enter(TubeMode.PACKET);
        try
        {
            final int length = rings.receiver.receive(dst, timeout, unit);
            return length == RingReader.EMPTY ? NONE : counted(length);
        }
        catch (final RingException | DriverException e)
        {
            throw Failures.of(end, e);
        }
        finally
        {
            rings.receiving.leave();
        }
    }

    @Override
    public int receive(final TubeHandler handler, final int limit) throws IOException, InterruptedException
    {
        enter(TubeMode.PACKET);
        target = handler;
        try
        {
            final int handled = rings.receiver.receive(inPlace, limit);
            if (handled == RingReader.END)
            {
                ended();
                return END;
            }
            return handled;
        }
        catch (final RingException | DriverException e)
        {
            throw Failures.of(end, e);
        }
        finally
        {
            target = null;
            rings.receiving.leave();
        }
    }

    @Override
    public ReadableByteChannel channel() throws TubeException
    {
        if (end.mode != TubeMode.STREAM)
        {
            throw new TubeException("tube " + end.id + " carries packets, not a stream: use receive");
        }
        return this;
    }

    @Override
    public long readInPlace(final TubeHandler handler) throws IOException
    {
        enter(TubeMode.STREAM);
        target = handler;
        try
        {
            return streamed(rings.in.readInPlace(streamInPlace));
        }
        catch (final IOException e)
        {
            throw Failures.ofIo(end, e);
        }
        finally
        {
            target = null;
            rings.receiving.leave();
        }
    }

    /** The stream channel's read: waits for at least one byte; -1 once the peer closed and everything was read. */
    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        if (!held)
        {
            throw new ClosedChannelException();
        }
        rings.receiving.enter();
        try
        {
            return (int) streamed(rings.in.read(dst));
        }
        catch (final IOException e)
        {
            throw Failures.ofIo(end, e);
        }
        finally
        {
            rings.receiving.leave();
        }
    }

    /** What a stream read returned, counted: bytes, or -1 at the end. */
    private long streamed(final long read)
    {
        if (read < 0)
        {
            ended();
            return -1;
        }
        end.packetsReceived++;
        end.bytesReceived += read;
        return read;
    }

    private int counted(final int length)
    {
        if (length == RingReader.END)
        {
            ended();
            return END;
        }
        end.packetsReceived++;
        end.bytesReceived += length;
        return length;
    }

    private void ended()
    {
        end.engine.later(end::inputEnded);
    }

    private void enter(final TubeMode needed) throws IOException
    {
        if (!held)
        {
            throw new TubeException("this reader of tube " + end.id + " was let go of: take the reader again");
        }
        if (end.mode != needed)
        {
            throw new TubeException(needed == TubeMode.PACKET
                ? "tube " + end.id + " carries a stream, not packets: read through channel() or readInPlace"
                : "tube " + end.id + " carries packets, not a stream: use receive");
        }
        rings.receiving.enter();
    }

    @Override
    public boolean isOpen()
    {
        return held;
    }

    @Override
    public void close()
    {
        if (held)
        {
            held = false;
            end.letGoOfReader();
        }
    }

    @Override
    public String toString()
    {
        return "reader of tube " + end.id;
    }
}
