package io.tubes.handshake.internal;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

import io.tubes.ring.RingStoppedException;
import io.tubes.tube.TubeClosedException;
import io.tubes.tube.TubeException;

/**
 * What a failed ring call means for the tube: a stopped side is the tube's close (its reason); any
 * other failure (the peer broke the ring's rules, or its domain is gone) closes the tube at once,
 * with that failure as the reason.
 */
final class Failures
{
    private Failures()
    {
    }

    static TubeException of(final TubeEnd end, final Exception e)
    {
        if (e instanceof RingStoppedException)
        {
            return new TubeClosedException(e.getMessage(), e);
        }
        final String reason = "tube " + end.id + " failed: " + e.getMessage();
        end.engine.later(() -> end.free(reason));
        return new TubeClosedException(reason, e);
    }

    /** As {@link #of}, for what a channel threw: interruptions and closed channels pass as they are. */
    static IOException ofIo(final TubeEnd end, final IOException e)
    {
        if (e instanceof ClosedByInterruptException || e instanceof TubeException)
        {
            return e;
        }
        return of(end, e);
    }
}
