package io.tubes.ring;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * How a side waits for its peer: spin a while if its {@link Waiting} says so, then ask the peer for
 * a kick, look once more (the peer may have acted before it saw the request), and only then sleep on
 * the event channel. One per side: it keeps the side's adaptive spin window.
 *
 * <p>Even a side told not to spin looks a few times first ({@link #LOOKS_BEFORE_ASKING}, well under
 * a microsecond). A receiver that keeps up with a busy sender finds the ring empty between two of its
 * packets; asleep at once, it would cost the sender a kick, a system call, every few packets:
 * sleeping and being kicked cost both sides more CPU than the looks.
 *
 * <p>A side whose peer is gone would sleep for ever; it fails instead, once it has taken everything
 * the peer published, when the driver says the peer's port is no longer connected (the simulated
 * host can tell) or when the peer's live word in the ring was cleared (Xen's unmap notification
 * does that when the peer's process lets go of the ring, exiting or killed, and kicks this side's
 * port, so a sleeping side wakes).
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

    private final Ready ready;
    private final BooleanSupplier requestKick;
    private final BooleanSupplier peerGone;
    private final EventChannels events;
    private final int port;
    private final long maxSpinNanos;
    private final boolean adaptive;
    /** How long the next wait spins: the whole of the maximum, or what has paid lately. */
    private long window;

    /**
     * A wait for {@code ready}; {@code requestKick} asks the peer for a kick and says whether the
     * peer may miss the request ({@link KickCheck#request}); {@code peerGone} says whether the
     * peer's live word in the ring was cleared.
     */
    KickWait(final Ready ready, final BooleanSupplier requestKick, final BooleanSupplier peerGone,
        final EventChannels events, final int port, final Waiting waiting)
    {
        this.ready = ready;
        this.requestKick = requestKick;
        this.peerGone = peerGone;
        this.events = events;
        this.port = port;
        this.maxSpinNanos = waiting.spinNanos();
        this.adaptive = waiting.adaptive();
        this.window = adaptive ? Math.min(maxSpinNanos, Waiting.START_NANOS) : maxSpinNanos;
    }

    /**
     * Waits for {@code ready}, or a kick, or at most {@code maxNanos} (and a second at a time); the
     * caller looks again.
     *
     * @throws DriverException when the event channel failed, or the peer is gone and {@code ready} is false
     */
    void await(final long maxNanos) throws RingException, DriverException, InterruptedException
    {
        if (looks(ready, LOOKS_BEFORE_ASKING))
        {
            return;
        }
        if (window > 0)
        {
            final long spun = System.nanoTime();
            long now;
            do
            {
                // Many looks per look at the clock: the peer's write is seen sooner.
                if (looks(ready, SPINS_PER_CLOCK))
                {
                    caught(System.nanoTime() - spun);
                    return;
                }
                now = System.nanoTime();
            }
            while (now - spun < window);
            if (adaptive)
            {
                window = 0; // the spin did not pay: the peer is not running, or has nothing to send
            }
        }
        final boolean mayBeMissed = requestKick.getAsBoolean();
        // Whether the peer is there /then/ the last look: what a peer published before it went is still taken.
        final boolean disconnected = !events.isConnected(port);
        final boolean gone = disconnected || peerGone.getAsBoolean();
        if (ready.now())
        {
            return;
        }
        if (gone)
        {
            final String why = disconnected
                ? "the peer of event-channel port " + port + " is not connected: its domain died, or it unbound the port"
                : "Xen's unmap notification cleared its live word in the ring: its process ended or let go of it";
            throw new DriverException(peer() + " is gone (" + why + "): the other side of the ring will not move again");
        }
        final long asleep = System.nanoTime();
        long sleep = Math.min(maxNanos, SLICE_NANOS);
        if (mayBeMissed && sleep > GRACE_NANOS)
        {
            if (sleep(events, port, GRACE_NANOS) || ready.now())
            {
                slept(System.nanoTime() - asleep);
                return;
            }
            sleep -= GRACE_NANOS;
        }
        sleep(events, port, sleep);
        slept(System.nanoTime() - asleep);
    }

    /** A spin caught the peer after {@code nanos}: late in the window, a longer one is safer. */
    private void caught(final long nanos)
    {
        if (adaptive && nanos > window / 2)
        {
            window = Math.min(maxSpinNanos, window * 2);
        }
    }

    /**
     * After a sleep of {@code nanos}: a peer that came within the longest spin would have been
     * caught by one, so spinning starts again; a later one leaves the side sleeping at once.
     */
    private void slept(final long nanos)
    {
        if (adaptive && window == 0 && nanos <= maxSpinNanos)
        {
            window = Math.min(maxSpinNanos, Waiting.START_NANOS);
        }
    }

    /** The peer's domain for messages: its id, where the driver still knows it. */
    private String peer()
    {
        try
        {
            return "peer domain " + events.remoteDomid(port);
        }
        catch (final DriverException e)
        {
            return "the peer of event-channel port " + port;
        }
    }

    /** How long the next wait spins. */
    long window()
    {
        return window;
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
