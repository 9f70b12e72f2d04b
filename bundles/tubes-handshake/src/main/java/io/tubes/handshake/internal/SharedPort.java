package io.tubes.handshake.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;

/**
 * A tube's one event-channel port, shared by its sending and its receiving side, each of which may
 * wait on it while the other does. A handle has one waiter, so the first side to wait sleeps in the
 * handle and the other on a condition; when the sleeper wakes, for whatever reason, so does the
 * other, and each looks at its ring again (a wait that returns without a kick for it is harmless:
 * events carry no data). Each side has its own wakeup, so that stopping one never wakes the other
 * for good.
 */
final class SharedPort
{
    private final EventChannels handle;
    private final int port;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundEnded = lock.newCondition();
    private final Side sending = new Side();
    private final Side receiving = new Side();
    /** The side sleeping in the handle, or null. */
    private Side sleeper;
    /** Ends of sleeps in the handle: a side waiting on the condition returns when it moves. */
    private long rounds;

    SharedPort(final EventChannels handle, final int port)
    {
        this.handle = handle;
        this.port = port;
    }

    /** The view the sending side waits on. */
    EventChannels sending()
    {
        return sending;
    }

    /** The view the receiving side waits on. */
    EventChannels receiving()
    {
        return receiving;
    }

    /** One side's view of the port: the calls a ring side makes. */
    private final class Side implements EventChannels
    {
        /** A wakeup for this side that no wait has taken yet. */
        private boolean woken;

        @Override
        public int pending(final long timeout, final TimeUnit unit) throws DriverException, InterruptedException
        {
            lock.lock();
            try
            {
                if (woken)
                {
                    woken = false;
                    return WOKEN;
                }
                if (sleeper != null)
                {
                    final long round = rounds;
                    long nanos = unit.toNanos(timeout);
                    while (round == rounds && !woken && nanos > 0)
                    {
                        nanos = roundEnded.awaitNanos(nanos);
                    }
                    if (woken)
                    {
                        woken = false;
                        return WOKEN;
                    }
                    return round == rounds ? TIMED_OUT : WOKEN;
                }
                sleeper = this;
            }
            finally
            {
                lock.unlock();
            }
            try
            {
                return handle.pending(timeout, unit);
            }
            finally
            {
                lock.lock();
                try
                {
                    sleeper = null;
                    woken = false; // this sleep has ended: the wakeup, if any, was for it
                    rounds++;
                    roundEnded.signalAll();
                }
                finally
                {
                    lock.unlock();
                }
            }
        }

        @Override
        public void wakeup() throws DriverException
        {
            lock.lock();
            try
            {
                woken = true;
                roundEnded.signalAll();
                if (sleeper == this)
                {
                    handle.wakeup();
                }
            }
            finally
            {
                lock.unlock();
            }
        }

        @Override
        public void notify(final int notified) throws DriverException
        {
            handle.notify(notified);
        }

        @Override
        public void unmask(final int unmasked) throws DriverException
        {
            handle.unmask(unmasked);
        }

        @Override
        public int remoteDomid(final int asked) throws DriverException
        {
            return handle.remoteDomid(asked);
        }

        @Override
        public boolean isConnected(final int asked) throws DriverException
        {
            return handle.isConnected(asked);
        }

        @Override
        public int bindUnbound(final int remoteDomid) throws DriverException
        {
            throw notHere("bind");
        }

        @Override
        public int bindInterdomain(final int remoteDomid, final int remotePort) throws DriverException
        {
            throw notHere("bind");
        }

        @Override
        public void unbind(final int unbound) throws DriverException
        {
            throw notHere("unbind");
        }

        @Override
        public void close() throws DriverException
        {
            throw notHere("close");
        }

        private DriverException notHere(final String what)
        {
            return new DriverException("a ring side cannot " + what + " the tube's port " + port
                + ": the tube owns it");
        }
    }
}
