package io.tubes.handshake.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.ring.RingException;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeWriter;

/** The writing side of a tube end, as its holder took it: every call enters the ring's guard, and counts. */
final class EndWriter implements TubeWriter, WritableByteChannel
{
    private final TubeEnd end;
    private final Rings rings;
    private volatile boolean held = true;

    EndWriter(final TubeEnd end)
    {
        this.end = end;
        this.rings = end.rings;
    }

    @Override
    public void send(final ByteBuffer packet) throws IOException, InterruptedException
    {
        enter(TubeMode.PACKET);
        try
        {
            final int length = packet.remaining();
            rings.sender.send(packet);
            counted(length);
        }
        catch (final RingException | DriverException e)
        {
            throw Failures.of(end, e);
        }
        finally
        {
            rings.sending.leave();
        }
    }

    @Override
    public boolean send(final ByteBuffer packet, final long timeout, final TimeUnit unit)
        throws IOException, InterruptedException
    {
        enter(TubeMode.PACKET);
        try
        {
            final int length = packet.remaining();
            final boolean sent = rings.sender.offer(packet, timeout, unit);
            if (sent)
            {
                counted(length);
            }
            return sent;
        }
        catch (final RingException | DriverException e)
        {
            throw Failures.of(end, e);
        }
        finally
        {
            rings.sending.leave();
        }
    }

    @Override
    public void sendBatch(final ByteBuffer[] packets, final int offset, final int count)
        throws IOException, InterruptedException
    {
        enter(TubeMode.PACKET);
        try
        {
            long bytes = 0;
            for (int i = offset; i < offset + count; i++)
            {
                bytes += packets[i].remaining();
            }
            rings.sender.sendBatch(packets, offset, count);
            end.packetsSent += count;
            end.bytesSent += bytes;
        }
        catch (final RingException | DriverException e)
        {
            throw Failures.of(end, e);
        }
        finally
        {
            rings.sending.leave();
        }
    }

    @Override
    public void shutdownOutput() throws IOException, InterruptedException
    {
        if (!held)
        {
            throw new TubeException("this writer of tube " + end.id + " was let go of: take the writer again");
        }
        rings.closeOutlet("the output of tube " + end.id + " was shut down");
    }

    @Override
    public WritableByteChannel channel() throws TubeException
    {
        if (end.mode != TubeMode.STREAM)
        {
            throw new TubeException("tube " + end.id + " carries packets, not a stream: use send");
        }
        return this;
    }

    /** The stream channel's write: as many chunks as it takes, waiting for room. */
    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        if (!held)
        {
            throw new ClosedChannelException();
        }
        rings.sending.enter();
        try
        {
            final int written = rings.out.write(src);
            counted(written);
            return written;
        }
        catch (final IOException e)
        {
            throw Failures.ofIo(end, e);
        }
        finally
        {
            rings.sending.leave();
        }
    }

    private void enter(final TubeMode needed) throws IOException
    {
        if (!held)
        {
            throw new TubeException("this writer of tube " + end.id + " was let go of: take the writer again");
        }
        if (end.mode != needed)
        {
            throw new TubeException("tube " + end.id + " carries a stream, not packets: write through channel()");
        }
        rings.sending.enter();
    }

    private void counted(final int bytes)
    {
        end.packetsSent++;
        end.bytesSent += bytes;
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
            end.letGoOfWriter();
        }
    }

    /** For messages. */
    @Override
    public String toString()
    {
        return "writer of tube " + end.id;
    }
}
