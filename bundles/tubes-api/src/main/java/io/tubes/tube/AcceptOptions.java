package io.tubes.tube;

import java.time.Duration;

/**
 * How to accept a tube: from which peer, with rings of which size, and how long to wait.
 *
 * @param peer         the peer domain, by name or id, or {@code null} for any peer
 * @param ringSize     bytes of data in each of the tube's two rings (the tip allocates both): a
 *                     power of two from 4 KiB to 2 MiB
 * @param timeout      how long to wait for a knock and its handshake
 * @param closeTimeout how long a close waits for the peer to confirm before it frees everything anyway
 */
public record AcceptOptions(String peer, int ringSize, Duration timeout, Duration closeTimeout)
{
    public static final int DEFAULT_RING_SIZE = 64 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Checks every option, naming the one that is wrong. */
    public AcceptOptions
    {
        if (peer != null && peer.isEmpty())
        {
            throw new IllegalArgumentException("a peer is a domain name or id, or null for any");
        }
        if (ringSize < 4096 || ringSize > 2 * 1024 * 1024 || Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("a ring's size is a power of two from 4096 to 2097152 bytes: ringSize="
                + ringSize);
        }
        checkPositive(timeout, "accept");
        checkPositive(closeTimeout, "close");
    }

    /** A tube from any peer, with the default sizes and timeouts. */
    public static AcceptOptions any()
    {
        return new AcceptOptions(null, DEFAULT_RING_SIZE, DEFAULT_TIMEOUT, TubeOptions.DEFAULT_CLOSE_TIMEOUT);
    }

    /** A tube from {@code peer} (a name or an id), with the default sizes and timeouts. */
    public static AcceptOptions from(final String peer)
    {
        return any().withPeer(peer);
    }

    public AcceptOptions withPeer(final String newPeer)
    {
        return new AcceptOptions(newPeer, ringSize, timeout, closeTimeout);
    }

    public AcceptOptions withRingSize(final int newRingSize)
    {
        return new AcceptOptions(peer, newRingSize, timeout, closeTimeout);
    }

    public AcceptOptions withTimeout(final Duration newTimeout)
    {
        return new AcceptOptions(peer, ringSize, newTimeout, closeTimeout);
    }

    public AcceptOptions withCloseTimeout(final Duration newTimeout)
    {
        return new AcceptOptions(peer, ringSize, timeout, newTimeout);
    }

    static void checkPositive(final Duration timeout, final String which)
    {
        if (timeout == null || timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("the " + which + " timeout must be positive: " + timeout);
        }
    }
}
