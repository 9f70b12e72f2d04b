package io.tubes.xenstore.client;

import java.io.IOException;

import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.internal.XenStoreClient;

/**
 * Opens connections to xenstored outside OSGi (tests, tools, the module path). The caller owns the
 * connection and closes it. Inside OSGi, reference the {@code XenStore} service instead.
 */
public final class XenStoreClients
{
    private XenStoreClients()
    {
    }

    /** Connects to xenstored at {@code address} with a 30 s request timeout and 20 transaction attempts. */
    public static XenStoreConnection connect(final XenStoreAddress address) throws IOException
    {
        return XenStoreClient.connect(address);
    }

    /** Connects with the given request timeout (ms) and number of attempts per transaction. */
    public static XenStoreConnection connect(final XenStoreAddress address, final long requestTimeoutMs,
        final int transactionAttempts) throws IOException
    {
        return XenStoreClient.connect(address, requestTimeoutMs, transactionAttempts);
    }
}
