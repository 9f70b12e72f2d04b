package io.tubes.ring;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A publisher's look at its peer's request for a kick, after publishing. Fenced, the look cannot
 * miss a request (the peer fences between asking and its last look at the ring), but the fence
 * waits for the packet's stores to leave the core and halves the rate of single small sends. So a
 * publisher whose peer has not asked for a kick in {@link #QUIET_LOOKS} looks (a busy peer) stops
 * fencing, and says so in the control page: a peer that reads that word after asking knows its
 * request may be missed and sleeps only briefly before it looks again. The first request seen
 * brings the fences back. Sleepy peers (a ping-pong) get exact kicks; busy ones, full speed.
 */
final class KickCheck
{
    /** Looks without a request before the publisher stops fencing. */
    static final int QUIET_LOOKS = 64;

    private final ByteBuffer ring;
    private final int requestOffset;
    private final int unfencedOffset;
    private boolean fencing = true;
    private int quiet;

    KickCheck(final ByteBuffer ring, final int requestOffset, final int unfencedOffset)
    {
        this.ring = ring;
        this.requestOffset = requestOffset;
        this.unfencedOffset = unfencedOffset;
        // This side starts out fencing; a 1 left by an earlier publisher on this ring would say otherwise.
        Ring.INT.setVolatile(ring, unfencedOffset, 0);
    }

    /** Whether the peer asked for a kick since the last look; clears the request. Call after publishing. */
    boolean peerWantsKick()
    {
        // A busy peer's case apart, a load and a test: small enough to inline into a sender's loop beside write.
        if (!fencing && (int) Ring.INT.getAcquire(ring, requestOffset) == 0)
        {
            return false;
        }
        return look();
    }

    /** {@link #peerWantsKick} in every case. */
    private boolean look()
    {
        if (fencing)
        {
            // The header just published /then/ the look at the request.
            VarHandle.fullFence();
        }
        // Read before exchanging: while nobody sleeps the word is only read, and its line is not bounced.
        if ((int) Ring.INT.getAcquire(ring, requestOffset) != 0
            && (int) Ring.INT.getAndSet(ring, requestOffset, 0) != 0)
        {
            quiet = 0;
            if (!fencing)
            {
                fencing = true;
                Ring.INT.setVolatile(ring, unfencedOffset, 0);
            }
            return true;
        }
        if (fencing && ++quiet == QUIET_LOOKS)
        {
            fencing = false;
            // The word /then/ the first unfenced look: a peer that read the word as 0 asked before this fence
            // completed, and every later look sees its request.
            Ring.INT.setVolatile(ring, unfencedOffset, 1);
            VarHandle.fullFence();
        }
        return false;
    }

    /**
     * Asks the publisher of the other direction for a kick, before a last look at what it publishes
     * and a sleep. Returns whether that publisher said it looks without fences, so may miss the request.
     */
    static boolean request(final ByteBuffer ring, final int requestOffset, final int peerUnfencedOffset)
    {
        Ring.INT.setVolatile(ring, requestOffset, 1);
        // The request /then/ the last look at what the peer publishes (the caller's) and at its word.
        VarHandle.fullFence();
        return (int) Ring.INT.getAcquire(ring, peerUnfencedOffset) != 0;
    }
}
