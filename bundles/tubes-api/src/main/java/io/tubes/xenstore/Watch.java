package io.tubes.xenstore;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A registered watch. Closing it removes the watch from xenstored; no event is delivered to its
 * listener after {@link #close()} returns.
 */
@ProviderType
public interface Watch extends AutoCloseable
{
    /** The watched path, as given when the watch was set. */
    String path();

    /** The token xenstored echoes in every event of this watch. */
    String token();

    /** Removes the watch. Closing twice, or after the connection is gone, does nothing. */
    @Override
    void close();
}
