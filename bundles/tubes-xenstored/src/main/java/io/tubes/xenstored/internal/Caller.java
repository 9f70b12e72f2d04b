package io.tubes.xenstored.internal;

import io.tubes.xenstore.wire.XsPaths;

/**
 * Who sends a request: the domain a connection belongs to, whether it is privileged (dom0's
 * socket), and the domain it was made the target of ({@code XS_SET_TARGET}), or -1.
 */
record Caller(int domid, boolean privileged, int target)
{
    static final int NO_TARGET = -1;

    String domainPath()
    {
        return XsPaths.domainPath(domid);
    }

    boolean unprivileged()
    {
        return !privileged;
    }

    boolean actsFor(final int owner)
    {
        return owner == domid || (target != NO_TARGET && owner == target);
    }
}
