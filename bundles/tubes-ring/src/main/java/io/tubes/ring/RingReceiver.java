package io.tubes.ring;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * Receives packets from a ring, sleeping on the event channel while it is empty (after a spin, as
 * its {@link Waiting} says), and kicking the sender only when it waits for room. The event-channel
 * handle serves this side alone.
 */
public final class RingReceiver
{
    private final RingReader reader;
    private final EventChannels events;
    private final int port;
    private final KickWait dataWait;
    private final Stop stop = new Stop();
    // Written by the receiving thread only; others read them as statistics.
    private long kicks;
    private long waits;

    public RingReceiver(final RingReader reader, final EventChannels events, final int port, final Waiting waiting)
    {
        this.reader = reader;
        this.events = events;
        this.port = port;
        // Made once: a wait allocates nothing.
        this.dataWait = new KickWait(() -> stop.isSet() || reader.hasDataOrEnd(), reader::requestKick,
            reader::producerGone, events, port, waiting);
    }

    /**
     * Waits for the next packet and copies it into {@code dst}.
     *
     * @return its length, or {@link RingReader#END} when the sender closed and everything was read
     * @throws RingException   when the sender broke the protocol, or this side was stopped
     *                         ({@link RingStoppedException})
     * @throws DriverException when the event channel failed, or the sender is gone (its domain died)
     *                         and everything it sent was read
     */
    public int receive(final ByteBuffer dst) throws RingException, DriverException, InterruptedException
    {
        while (true)
        {
            final int length = receiveNow(dst);
            if (length != RingReader.EMPTY)
            {
                return length;
            }
            dataWait.await(Long.MAX_VALUE);
            waits++;
        }
    }

    /**
     * As {@link #receive(ByteBuffer)}, waiting at most {@code timeout}; a timeout of 0 looks once.
     *
     * @return the packet's length, {@link RingReader#END}, or {@link RingReader#EMPTY} when the time ran
     *         out first
     */
    public int receive(final ByteBuffer dst, final long timeout, final TimeUnit unit)
        throws RingException, DriverException, InterruptedException
    {
        long deadline = 0; // the clock is read only once the ring is empty
        while (true)
        {
            final int length = receiveNow(dst);
            if (length != RingReader.EMPTY)
            {
                return length;
            }
            final long now = System.nanoTime();
            if (deadline == 0)
            {
                deadline = now + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 2);
            }
            if (now - deadline >= 0)
            {
                return RingReader.EMPTY;
            }
            dataWait.await(deadline - now);
            waits++;
        }
    }

    /** One look: the next packet copied into {@code dst}, {@link RingReader#END} or {@link RingReader#EMPTY}. */
    private int receiveNow(final ByteBuffer dst) throws RingException, DriverException
    {
        stop.check();
        final int length = reader.read(dst);
        kickIfAsked();
        return length;
    }

    private void kickIfAsked() throws DriverException
    {
        if (reader.producerWantsKick())
        {
            events.notify(port);
            kicks++;
        }
    }

    /**
     * Waits until packets are there and hands up to {@code limit} of them to {@code handler} without
     * copying (see {@link RingReader#poll}).
     *
     * @return how many were handled (at least one), or {@link RingReader#END}
     * @throws DriverException as {@link #receive(ByteBuffer)}
     */
    public int receive(final PacketHandler handler, final int limit)
        throws RingException, DriverException, InterruptedException
    {
        while (true)
        {
            stop.check();
            final int handled = reader.poll(handler, limit);
            kickIfAsked();
            if (handled != 0)
            {
                return handled;
            }
            dataWait.await(Long.MAX_VALUE);
            waits++;
        }
    }

    /**
     * Stops this side from any thread: a receive waiting for packets fails at once with a
     * {@link RingStoppedException} carrying {@code reason}, and so does every later call.
     */
    public void stop(final String reason) throws DriverException
    {
        stop.set(reason, events);
    }

    /** How long the next wait for packets spins. */
    long spinWindowNanos()
    {
        return dataWait.window();
    }

    /** Kicks this side sent the sender, which waited for room: a recent value, for statistics. */
    public long kicks()
    {
        return kicks;
    }

    /** Times this side waited for packets (each a spin, a sleep or both): a recent value, for statistics. */
    public long waits()
    {
        return waits;
    }
}
