package io.tubes.ring;

import java.io.IOException;

/**
 * The ring cannot be used any more: the peer broke its protocol or closed its side, or this side was
 * stopped ({@link RingStoppedException}); the message says which.
 */
public class RingException extends IOException
{
    private static final long serialVersionUID = 1L;

    public RingException(final String message)
    {
        super(message);
    }
}
