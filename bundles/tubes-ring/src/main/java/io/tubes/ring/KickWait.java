package io.tubes.ring;

import java.util.concurrent.TimeUnit;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * How a side waits for its peer: spin a while if asked to, then ask the peer for a kick, look once
 * more (the peer may have acted before it saw the request), and only then sleep on the event channel:
 * first for a short grace, then for long.
 *
 * <p>The grace is what lets the peer look at the request without a full fence after every packet:
 * a peer whose position left its core just as the request was made may read the request as unset
 * and send no kick; its position is visible well within the grace, and the second look finds it.
 */
final class KickWait
{
    /** How long a side that asked for a kick sleeps before it looks once more. */
    private static final long GRACE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final int SPINS_PER_CLOCK = 64;

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
        if (spinNanos > 0)
        {
            final long spinUntil = System.nanoTime() + spinNanos;
            do
            {
                // Many looks per look at the clock: the peer's write is seen sooner.
                for (int i = 0; i < SPINS_PER_CLOCK; i++)
                {
                    if (ready.now())
                    {
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
            while (System.nanoTime() - spinUntil < 0);
        }
        requestKick.run();
        if (ready.now() || sleep(events, port, Math.min(maxNanos, GRACE_NANOS)) || ready.now()
            || maxNanos <= GRACE_NANOS)
        {
            return;
        }
        sleep(events, port, Math.min(maxNanos - GRACE_NANOS, TimeUnit.SECONDS.toNanos(1)));
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
