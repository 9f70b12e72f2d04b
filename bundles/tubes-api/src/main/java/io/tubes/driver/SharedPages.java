package io.tubes.driver;

import java.nio.ByteBuffer;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Pages this domain shares with another ({@code xengntshr_share_pages}); closing unshares them. */
@ProviderType
public interface SharedPages extends AutoCloseable
{
    /** The domain the pages are shared with. */
    int domid();

    /** The grant refs, one per page, in order: what the peer needs to map them. */
    List<Integer> refs();

    /** The pages, contiguous, zeroed when shared. */
    ByteBuffer buffer();

    /** Unshares; the peer's mapping keeps the memory until it unmaps, as on Xen. */
    @Override
    void close() throws DriverException;
}
