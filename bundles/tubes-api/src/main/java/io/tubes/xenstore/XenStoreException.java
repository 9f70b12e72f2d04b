package io.tubes.xenstore;

import java.io.IOException;
import java.util.Optional;

/**
 * A XenStore operation failed: either xenstored answered with one of Xen's errors (see
 * {@link #error()}), or the connection to it failed or was lost (no error name).
 */
public class XenStoreException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final transient XenStoreError error;

    /** xenstored refused {@code operation} with {@code error}. */
    public XenStoreException(final String operation, final XenStoreError error)
    {
        super(operation + " failed: " + error.name() + " (" + error.meaning() + ")");
        this.error = error;
    }

    /** The connection to xenstored failed; no reply carries an error name. */
    public XenStoreException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.error = null;
    }

    /** The connection to xenstored failed; no reply carries an error name. */
    public XenStoreException(final String message)
    {
        super(message);
        this.error = null;
    }

    /** Xen's error name as xenstored sent it, or empty when the failure was the connection's. */
    public Optional<XenStoreError> error()
    {
        return Optional.ofNullable(error);
    }

    /** Whether xenstored answered with this error. */
    public boolean is(final XenStoreError expected)
    {
        return expected == error;
    }
}
