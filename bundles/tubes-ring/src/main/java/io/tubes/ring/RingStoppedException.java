package io.tubes.ring;

/** This side of the ring was stopped by another thread (a close, the peer's death); the message says why. */
public final class RingStoppedException extends RingException
{
    private static final long serialVersionUID = 1L;

    public RingStoppedException(final String reason)
    {
        super(reason);
    }
}
