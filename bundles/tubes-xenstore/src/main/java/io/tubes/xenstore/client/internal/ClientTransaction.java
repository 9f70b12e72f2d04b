package io.tubes.xenstore.client.internal;

import io.tubes.xenstore.XenStoreTransaction;

/** A transaction of a {@link XenStoreClient}: node operations tagged with its id. */
final class ClientTransaction extends NodeOperations implements XenStoreTransaction
{
    private final int id;

    ClientTransaction(final XenStoreClient client, final int id)
    {
        super(client, id);
        this.id = id;
    }

    @Override
    public int id()
    {
        return id;
    }
}
