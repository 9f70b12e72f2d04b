package io.tubes.driver;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Grant tables for this domain, as libxengnttab offers them: share pages with one other domain, map
 * pages another domain shared with this one. Xen's rules hold: only the domain a page was shared with
 * may map it, a read-only grant cannot be mapped writable, and an unknown or revoked ref is an error.
 */
@ProviderType
public interface GrantTable
{
    /** Bytes in a page. */
    int PAGE_SIZE = 4096;

    /**
     * Shares {@code count} fresh pages with {@code domid}.
     *
     * @param notify what happens when this domain dies while sharing, or {@code null}
     */
    SharedPages share(int domid, int count, boolean writable, UnmapNotify notify) throws DriverException;

    /**
     * Maps pages {@code domid} shared with this domain.
     *
     * @param refs   the grant refs, one per page
     * @param notify what happens when this domain dies while mapping, or {@code null}
     */
    MappedPages map(int domid, List<Integer> refs, boolean writable, UnmapNotify notify) throws DriverException;

    /** What this domain holds now, so that a leak shows. */
    Counts counts() throws DriverException;

    /**
     * A domain's holdings.
     *
     * @param grants   pages it shares
     * @param mappings pages of others it maps
     * @param ports    event-channel ports it has bound
     */
    record Counts(int grants, int mappings, int ports)
    {
    }
}
