package io.tubes.ring;

import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * How a side waits for its peer: spin a while if asked to, then ask the peer for a kick, look once
 * more (the peer may have acted before it saw the request), and only then sleep on the event channel.
 */
final class KickWait
{
    /** What the side waits for. */
    @FunctionalInterface
    interface Ready
    {
        boolean now() throws RingException;
    }

    private KickWait()
    {
    }

    /** Waits for {@code ready}, at most {@code maxNanos} (and a second at a time, to look again). */
    static void await(final Ready ready, final Runnable requestKick, final EventChannels events, final int port,
        final long spinNanos, final long maxNanos) throws RingException, DriverException, InterruptedException
    {
        final long spinUntil = System.nanoTime() + spinNanos;
        while (System.nanoTime() < spinUntil)
        {
            if (ready.now())
            {
                return;
            }
            Thread.onSpinWait();
        }
        requestKick.run();
        if (!ready.now() && events.pending(Math.min(maxNanos, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS) >= 0)
        {
            events.unmask(port);
        }
    }
}
