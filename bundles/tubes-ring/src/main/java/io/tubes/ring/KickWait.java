package io.tubes.ring;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * How a side waits for its peer: spin a while if asked to, then ask the peer for a kick, look once
 * more (the peer may have acted before it saw the request), and only then sleep on the event channel.
 *
 * <p>Even a side told not to spin looks a few times first ({@link #LOOKS_BEFORE_ASKING}, well under
 * a microsecond). A receiver that keeps up with a busy sender finds the ring empty between two of its
 * packets; asleep at once, it cost the sender a kick, a system call, every 10 to 20 packets, and a
 * stream of 64-byte packets to a sleeping receiver ran at a third of its rate. Sleeping and being
 * kicked cost both sides more CPU than the looks.
 *
 * <p>A side whose peer is gone would sleep for ever; where the driver can tell (the simulated host,
 * whose domain is a process that may be killed), it fails instead, once it has taken everything the
 * peer published. Xen's driver cannot tell cheaply: there the handshake, which watches for dying
 * domains, closes the tube.
 *
 * <p>A peer that fences between publishing and looking at the request cannot miss it (this side
 * fences between asking and looking), and the sleep is long. A busy peer looks without fences
 * ({@link KickCheck}) and may miss the request: then the sleep lasts a short grace first, after
 * which this side looks again. The grace is kept for that case only: its timer, due before the
 * kernel's next tick, must be programmed into the (virtual) timer hardware on every sleep, which a
 * VM makes costly.
 */
final class KickWait
{
    /** How long a side whose request may be missed sleeps before it looks once more. */
    private static final long GRACE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** The longest sleep before the caller looks again (time-outs and closes are noticed sooner). */
    private static final long SLICE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int SPINS_PER_CLOCK = 64;
    /** Looks before asking for a kick, even without a spin: about as long as a busy peer takes per packet. */
    private static final int LOOKS_BEFORE_ASKING = 16;

    /** What the side waits for. */
    @FunctionalInterface
    interface Ready
    {
        boolean now() throws RingException;
    }

    private KickWait()
    {
    }

    /**
     * Waits for {@code ready}, or a kick, or at most {@code maxNanos} (and a second at a time); the
     * caller looks again. {@code requestKick} asks the peer for a kick and says whether the peer may
     * miss the request ({@link KickCheck#request}).
     *
     * @throws DriverException when the event channel failed, or the peer is gone and {@code ready} is false
     */
    static void await(final Ready ready, final BooleanSupplier requestKick, final EventChannels events, final int port,
        final long spinNanos, final long maxNanos) throws RingException, DriverException, InterruptedException
    {
        if (looks(ready, LOOKS_BEFORE_ASKING))
        {
            return;
        }
        if (spinNanos > 0)
        {
            final long spinUntil = System.nanoTime() + spinNanos;
            do
            {
                // Many looks per look at the clock: the peer's write is seen sooner.
                if (looks(ready, SPINS_PER_CLOCK))
                {
                    return;
                }
            }
            while (System.nanoTime() - spinUntil < 0);
        }
        final boolean mayBeMissed = requestKick.getAsBoolean();
        // Whether the peer is there /then/ the last look: what a peer published before it went is still taken.
        final boolean peerThere = events.isConnected(port);
        if (ready.now())
        {
            return;
        }
        if (!peerThere)
        {
            throw new DriverException("the peer of event-channel port " + port + " is not connected (its domain died, or"
                + " it unbound the port or never bound it): the other side of the ring will not move again");
        }
        long sleep = Math.min(maxNanos, SLICE_NANOS);
        if (mayBeMissed && sleep > GRACE_NANOS)
        {
            if (sleep(events, port, GRACE_NANOS) || ready.now())
            {
                return;
            }
            sleep -= GRACE_NANOS;
        }
        sleep(events, port, sleep);
    }

    /** Looks up to {@code times} times, pausing between looks; whether {@code ready} came true. */
    private static boolean looks(final Ready ready, final int times) throws RingException
    {
        for (int i = 0; i < times; i++)
        {
            if (ready.now())
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Sleeps until a kick or the time is up; whether a kick came. */
    private static boolean sleep(final EventChannels events, final int port, final long nanos)
        throws DriverException, InterruptedException
    {
        if (events.pending(nanos, TimeUnit.NANOSECONDS) < 0)
        {
            return false;
        }
        events.unmask(port);
        return true;
    }
}
