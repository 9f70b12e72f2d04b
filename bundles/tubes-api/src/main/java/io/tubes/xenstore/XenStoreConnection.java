package io.tubes.xenstore;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A connection to xenstored held by whoever opened it: the {@link XenStore} operations, and the two
 * that act on the connection itself and so on every user of it. Give others the {@link XenStore}
 * view only; the OSGi service is never one of these.
 */
@ProviderType
public interface XenStoreConnection extends XenStore, AutoCloseable
{
    /** Removes every watch and transaction of this connection. */
    void resetWatches() throws XenStoreException;

    /** Closes the connection; calls in flight fail. */
    @Override
    void close();
}
