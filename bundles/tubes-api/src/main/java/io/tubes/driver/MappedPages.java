package io.tubes.driver;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ProviderType;

/** Another domain's pages mapped into this one ({@code xengnttab_map_domain_grant_refs}); closing unmaps them. */
@ProviderType
public interface MappedPages extends AutoCloseable
{
    /** The domain that granted the pages. */
    int domid();

    /** The pages, contiguous. Not to be used after {@link #close()}. */
    ByteBuffer buffer();

    @Override
    void close() throws DriverException;
}
