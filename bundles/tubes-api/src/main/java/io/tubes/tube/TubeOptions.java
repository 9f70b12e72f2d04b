package io.tubes.tube;

import java.time.Duration;

/**
 * How to open a tube: to which peer, with which index and mode, and how long to wait. The tip
 * chooses the rings' size ({@link AcceptOptions}).
 *
 * @param peer         the peer domain, by name ({@code db}) or by id ({@code 7})
 * @param index        the tube index, or {@link #ANY_INDEX} for the lowest one free towards the peer
 * @param mode         packets or a stream
 * @param openTimeout  how long the tip may take to answer before the open fails and what it wrote is removed
 * @param closeTimeout how long a close waits for the peer to confirm before it frees everything anyway
 */
public record TubeOptions(String peer, int index, TubeMode mode, Duration openTimeout, Duration closeTimeout)
{
    /** Asks for the lowest index not in use towards the peer. */
    public static final int ANY_INDEX = -1;
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** Checks every option, naming the one that is wrong. */
    public TubeOptions
    {
        if (peer == null || peer.isEmpty())
        {
            throw new IllegalArgumentException("a tube needs a peer: a domain name or id");
        }
        if (index < ANY_INDEX)
        {
            throw new IllegalArgumentException("a tube index is 0 and up, or ANY_INDEX: index=" + index);
        }
        if (mode == null)
        {
            throw new IllegalArgumentException("a tube's mode is packet or stream, not null");
        }
        AcceptOptions.checkPositive(openTimeout, "open");
        AcceptOptions.checkPositive(closeTimeout, "close");
    }

    /** A packet tube to {@code peer} (a name or an id), at the lowest free index, with the default timeouts. */
    public static TubeOptions to(final String peer)
    {
        return new TubeOptions(peer, ANY_INDEX, TubeMode.PACKET, DEFAULT_OPEN_TIMEOUT, DEFAULT_CLOSE_TIMEOUT);
    }

    /** A packet tube to domain {@code domid}. */
    public static TubeOptions to(final int domid)
    {
        return to(Integer.toString(domid));
    }

    public TubeOptions withIndex(final int newIndex)
    {
        return new TubeOptions(peer, newIndex, mode, openTimeout, closeTimeout);
    }

    public TubeOptions withMode(final TubeMode newMode)
    {
        return new TubeOptions(peer, index, newMode, openTimeout, closeTimeout);
    }

    public TubeOptions withOpenTimeout(final Duration timeout)
    {
        return new TubeOptions(peer, index, mode, timeout, closeTimeout);
    }

    public TubeOptions withCloseTimeout(final Duration timeout)
    {
        return new TubeOptions(peer, index, mode, openTimeout, timeout);
    }
}
