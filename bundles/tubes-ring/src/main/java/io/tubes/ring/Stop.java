package io.tubes.ring;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * A side's stop, set from any thread: it ends the side's wait at once (the event channel's waiter
 * is woken) and fails that call and every later one with the reason given first.
 */
final class Stop
{
    private volatile String reason;

    /** Stops the side waiting on {@code events}; a second stop keeps the first reason. */
    void set(final String why, final EventChannels events) throws DriverException
    {
        synchronized (this)
        {
            if (reason == null)
            {
                reason = why;
            }
        }
        events.wakeup();
    }

    boolean isSet()
    {
        return reason != null;
    }

    /** @throws RingStoppedException when the side was stopped */
    void check() throws RingStoppedException
    {
        final String why = reason;
        if (why != null)
        {
            throw new RingStoppedException(why);
        }
    }
}
