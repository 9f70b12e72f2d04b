package io.tubes.xenstored.internal;

import io.tubes.xenstore.XenStoreError;

/** A request failed with one of Xen's errors; it becomes an {@code XS_ERROR} reply. No stack trace: it is control flow. */
final class XsFailure extends Exception
{
    private static final long serialVersionUID = 1L;

    private final transient XenStoreError error;

    XsFailure(final XenStoreError error)
    {
        super(error.name(), null, false, false);
        this.error = error;
    }

    XenStoreError error()
    {
        return error;
    }
}
