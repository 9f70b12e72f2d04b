package io.tubes.ring;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * Sends packets into a ring, waiting for room when it is full: nothing is ever dropped. The
 * receiver is kicked only when it asked. The event-channel handle serves this side alone (one thread
 * waits on it). How it waits for room, spinning first or not, is its {@link Waiting}.
 */
public final class RingSender implements AutoCloseable
{
    private final RingWriter writer;
    private final EventChannels events;
    private final int port;
    private final KickWait roomWait;
    private final Stop stop = new Stop();
    /** Bytes the waiting packet still needs: what {@link #roomWait} looks for. */
    private int wanted;
    // Written by the sending thread only; others read them as statistics.
    private long kicks;
    private long fullWaits;

    public RingSender(final RingWriter writer, final EventChannels events, final int port, final Waiting waiting)
    {
        this.writer = writer;
        this.events = events;
        this.port = port;
        // Made once: a wait allocates nothing.
        // A receiver that closed ends the wait too: the caller then says so, rather than that its peer is gone.
        this.roomWait = new KickWait(() -> stop.isSet() || writer.hasRoomFor(wanted) || writer.consumerClosed(),
            writer::requestKick, writer::consumerGone, events, port, waiting);
    }

    /**
     * Sends the packet between {@code packet}'s position and limit, waiting as long as the ring is
     * full.
     *
     * @throws RingException   when the receiver broke the protocol or closed its side, or this side was
     *                         stopped ({@link RingStoppedException})
     * @throws DriverException when the event channel failed, or the receiver is gone (its domain died)
     */
    public void send(final ByteBuffer packet) throws RingException, DriverException, InterruptedException
    {
        stop.check();
        // The common case is one small call without a loop, so that the JIT keeps it compact; offer's loop, with its
        // clock, closed check and wait for room, is for a packet that did not all go.
        if (!sent(packet))
        {
            offer(packet, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Sends the packet, waiting at most {@code timeout} for room.
     *
     * @return true when all of it is in the ring; false when the time ran out first: then nothing of
     *         it went, or (for a packet larger than the ring) the part before the buffer's position
     *         did, and the rest must be offered again before any other packet
     */
    public boolean offer(final ByteBuffer packet, final long timeout, final TimeUnit unit)
        throws RingException, DriverException, InterruptedException
    {
        long deadline = 0; // the clock is read only once the ring is full: not on every packet
        while (true)
        {
            stop.check();
            if (sent(packet))
            {
                return true;
            }
            if (writer.consumerClosed())
            {
                throw new RingException("the receiver closed the ring; " + packet.remaining() + " bytes not sent");
            }
            final long now = System.nanoTime();
            if (deadline == 0)
            {
                deadline = now + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 2);
            }
            if (now - deadline >= 0)
            {
                return false;
            }
            awaitRoom(packet.remaining(), deadline - now);
        }
    }

    /** Writes what the ring takes of the packet and kicks the receiver if it asked; whether all of it went. */
    private boolean sent(final ByteBuffer packet) throws RingException, DriverException
    {
        final int result = writer.write(packet);
        kickIfAsked();
        return result == RingWriter.WRITTEN;
    }

    /**
     * Sends {@code count} packets from {@code packets[offset]} on, publishing as many at once as fit
     * (see {@link RingWriter#writeBatch}), waiting for room as needed.
     */
    public void sendBatch(final ByteBuffer[] packets, final int offset, final int count)
        throws RingException, DriverException, InterruptedException
    {
        int next = offset;
        while (next < offset + count)
        {
            stop.check();
            next += writer.writeBatch(packets, next, offset + count - next);
            kickIfAsked();
            if (next < offset + count)
            {
                if (writer.consumerClosed())
                {
                    throw new RingException("the receiver closed the ring; " + (offset + count - next)
                        + " packets not sent");
                }
                awaitRoom(packets[next].remaining(), Long.MAX_VALUE);
            }
        }
    }

    private void kickIfAsked() throws DriverException
    {
        if (writer.consumerWantsKick())
        {
            events.notify(port);
            kicks++;
        }
    }

    private void awaitRoom(final int bytes, final long maxNanos)
        throws RingException, DriverException, InterruptedException
    {
        wanted = bytes;
        roomWait.await(maxNanos);
        fullWaits++;
    }

    /** Kicks this side sent the receiver, which waited for packets: a recent value, for statistics. */
    public long kicks()
    {
        return kicks;
    }

    /** Times this side waited for room on a full ring: a recent value, for statistics. */
    public long fullWaits()
    {
        return fullWaits;
    }

    /**
     * Stops this side from any thread: a send waiting for room fails at once with a
     * {@link RingStoppedException} carrying {@code reason}, and so does every later call. The ring
     * is left as it is; {@link #close()} it too for the receiver to see the end.
     */
    public void stop(final String reason) throws DriverException
    {
        stop.set(reason, events);
    }

    /** Closes this side: the receiver drains what was sent, then sees the end. */
    @Override
    public void close() throws DriverException
    {
        writer.close();
        events.notify(port);
    }
}
