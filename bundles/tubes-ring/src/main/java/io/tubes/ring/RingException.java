package io.tubes.ring;

import java.io.IOException;

/** The peer broke the ring protocol; the message says how. The ring cannot be used any more. */
public class RingException extends IOException
{
    private static final long serialVersionUID = 1L;

    public RingException(final String message)
    {
        super(message);
    }
}
