package io.tubes.driver;

import java.io.IOException;

/** A driver operation failed; the message says which, on what, and why (an unknown ref, a port not bound, ...). */
public class DriverException extends IOException
{
    private static final long serialVersionUID = 1L;

    public DriverException(final String message)
    {
        super(message);
    }

    public DriverException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
