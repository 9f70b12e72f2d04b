package io.tubes.xenstore;

import java.util.Optional;

/**
 * The errors xenstored reports, by the names Xen puts on the wire ({@code xsd_errors[]} in
 * {@code xs_wire.h}), each with what it usually means to a caller.
 */
public enum XenStoreError
{
    EINVAL("invalid argument: a malformed path, value or request"),
    EACCES("permission denied"),
    EEXIST("already exists"),
    EISDIR("is a directory"),
    ENOENT("no such node"),
    ENOMEM("xenstored is out of memory"),
    ENOSPC("quota exceeded: too many nodes, too large a node or too many transactions"),
    EIO("input/output error in xenstored"),
    ENOTEMPTY("directory not empty"),
    ENOSYS("operation not supported"),
    EROFS("read-only"),
    EBUSY("busy: a transaction cannot be nested"),
    EAGAIN("transaction conflict: another change landed first; retry"),
    EISCONN("already connected"),
    E2BIG("too big: payload, watch count or directory over its limit"),
    EPERM("operation not permitted");

    private final String meaning;

    XenStoreError(final String meaning)
    {
        this.meaning = meaning;
    }

    /** A short explanation of the error for messages shown to users. */
    public String meaning()
    {
        return meaning;
    }

    /** The error with this wire name, if Xen defines one. */
    public static Optional<XenStoreError> fromWireName(final String name)
    {
        for (final XenStoreError error : values())
        {
            if (error.name().equals(name))
            {
                return Optional.of(error);
            }
        }
        return Optional.empty();
    }
}
