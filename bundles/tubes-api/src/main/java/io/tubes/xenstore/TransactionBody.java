package io.tubes.xenstore;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Work done inside a transaction. It may run more than once, when a conflict makes the transaction
 * retry, so it must not have effects outside XenStore.
 *
 * @param <T> what the work returns
 */
@ConsumerType
@FunctionalInterface
public interface TransactionBody<T>
{
    /** Does the work with {@code transaction}; throwing aborts the transaction. */
    T run(XenStoreTransaction transaction) throws XenStoreException;
}
