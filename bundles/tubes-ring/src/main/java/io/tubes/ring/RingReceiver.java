package io.tubes.ring;

import java.nio.ByteBuffer;

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
            stop.check();
            final int length = reader.read(dst);
            if (reader.producerWantsKick())
            {
                events.notify(port);
            }
            if (length != RingReader.EMPTY)
            {
                return length;
            }
            awaitData();
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
            if (reader.producerWantsKick())
            {
                events.notify(port);
            }
            if (handled != 0)
            {
                return handled;
            }
            awaitData();
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

    private void awaitData() throws RingException, DriverException, InterruptedException
    {
        dataWait.await(Long.MAX_VALUE);
    }
}
