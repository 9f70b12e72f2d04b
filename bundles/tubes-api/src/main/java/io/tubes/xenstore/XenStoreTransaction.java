package io.tubes.xenstore;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Node operations that see a consistent snapshot and land together, or not at all, when the
 * transaction ends. Xen reports a conflicting change by another client as {@code EAGAIN} at the end;
 * {@link XenStore#transaction(TransactionBody)} retries for you.
 */
@ProviderType
public interface XenStoreTransaction extends XenStoreOperations
{
    /** The transaction id xenstored gave. */
    int id();
}
