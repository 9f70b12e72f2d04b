package io.tubes.tube;

import java.io.IOException;

/** A tube could not be opened, accepted, taken or used; the message says what failed and why. */
public class TubeException extends IOException
{
    private static final long serialVersionUID = 1L;

    public TubeException(final String message)
    {
        super(message);
    }

    public TubeException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
