package io.tubes.xenstore;

import org.osgi.annotation.versioning.ProviderType;

/**
 * XenStore as the domain this runs in sees it (dom0 over xenstored's Unix socket, a guest over
 * {@code /dev/xen/xenbus}, or a domain of the simulated host over its own socket). Many threads
 * may use one instance at once; their requests travel on one connection, which this interface
 * cannot close or reset: that belongs to whoever opened it ({@link XenStoreConnection}). The
 * {@code XenStore} OSGi service is one of these, shared by every bundle of the domain.
 *
 * <p>When the connection drops, calls in flight fail with a {@link XenStoreException} saying so; the
 * client reconnects by itself and sets its watches again, which then fire once as Xen watches do
 * when set.
 */
@ProviderType
public interface XenStore extends XenStoreOperations
{
    /**
     * Watches {@code path} and everything below it, or one of the special names
     * {@code @introduceDomain} and {@code @releaseDomain}. The listener runs on the client's event
     * thread, never on the socket thread, one event at a time in the order xenstored sent them.
     */
    Watch watch(String path, WatchListener listener) throws XenStoreException;

    /**
     * Runs {@code body} in a transaction and commits it, starting over when xenstored reports a
     * conflict ({@code EAGAIN}), a bounded number of times.
     *
     * @throws XenStoreException from the body, or when the retries ran out, saying how many were made
     */
    <T> T transaction(TransactionBody<T> body) throws XenStoreException;

    /** Starts a transaction to be ended by the caller; prefer {@link #transaction(TransactionBody)}. */
    XenStoreTransaction startTransaction() throws XenStoreException;

    /**
     * Ends a transaction started with {@link #startTransaction()}: commits it, or aborts it when
     * {@code commit} is false.
     *
     * @throws XenStoreException {@code EAGAIN} when another change conflicts; nothing was applied
     */
    void endTransaction(XenStoreTransaction transaction, boolean commit) throws XenStoreException;

    /** The home path of domain {@code domid}, {@code /local/domain/<domid>}. */
    String getDomainPath(int domid) throws XenStoreException;

    /** Whether xenstored knows domain {@code domid}. */
    boolean isDomainIntroduced(int domid) throws XenStoreException;

    /** Where this client is connected, for messages: a socket path or a device. */
    String address();
}
