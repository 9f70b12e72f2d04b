package io.tubes.handshake.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tubes.tube.TubeClosedException;

/**
 * Keeps a ring's shared memory mapped while a call uses it: a call enters before it touches the
 * ring and leaves after; freeing refuses new calls, stops the side (which wakes a waiting call) and
 * waits for those inside to leave before anything is unmapped. Memory unmapped under a call would
 * crash the process, not fail the call.
 */
final class Guard
{
    private final AtomicInteger inside = new AtomicInteger();
    private volatile String closed;

    /** @throws TubeClosedException with the close's reason, once freeing began */
    void enter() throws TubeClosedException
    {
        inside.incrementAndGet();
        final String why = closed;
        if (why != null)
        {
            inside.decrementAndGet();
            throw new TubeClosedException(why);
        }
    }

    void leave()
    {
        inside.decrementAndGet();
    }

    /** Refuses new calls with {@code reason}. */
    void refuse(final String reason)
    {
        if (closed == null)
        {
            closed = reason;
        }
    }

    /** Waits up to {@code millis} for the calls inside to leave; whether they all did. */
    boolean drained(final long millis) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (inside.get() > 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
