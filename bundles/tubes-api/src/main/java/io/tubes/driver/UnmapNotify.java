package io.tubes.driver;

/**
 * What the hypervisor does when a page is unshared or unmapped because this domain's process ended
 * (Xen's unmap notification): it zeroes the byte at {@code offset} in the first page and notifies
 * {@code port}, so the peer learns at once. A protocol using it treats 0 as "closed".
 *
 * @param offset byte offset in the first page
 * @param port   a local event-channel port bound to the peer
 */
public record UnmapNotify(int offset, int port)
{
    /** Checks the offset lies in the first page. */
    public UnmapNotify
    {
        if (offset < 0 || offset >= GrantTable.PAGE_SIZE)
        {
            throw new IllegalArgumentException("unmap-notify offset must be in the first page: offset=" + offset);
        }
    }
}
