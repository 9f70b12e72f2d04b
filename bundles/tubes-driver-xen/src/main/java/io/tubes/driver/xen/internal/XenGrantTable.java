package io.tubes.driver.xen.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.jna.Pointer;

import io.tubes.driver.DriverException;
import io.tubes.driver.GrantTable;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.UnmapNotify;

/**
 * Grant tables through libxengnttab: {@code xengntshr_*} shares this domain's pages, {@code xengnttab_*}
 * maps other domains' grants. Xen itself enforces who may map what; this side counts what it holds.
 */
final class XenGrantTable implements GrantTable
{
    private final Pointer gnttab;
    private final Pointer gntshr;
    private final AtomicInteger grants = new AtomicInteger();
    private final AtomicInteger mappings = new AtomicInteger();
    private final AtomicInteger ports;

    XenGrantTable(final Pointer gnttab, final Pointer gntshr, final AtomicInteger ports)
    {
        this.gnttab = gnttab;
        this.gntshr = gntshr;
        this.ports = ports;
    }

    @Override
    public SharedPages share(final int domid, final int count, final boolean writable, final UnmapNotify notify)
        throws DriverException
    {
        if (notify != null && count != 1)
        {
            throw new IllegalArgumentException("Xen's unmap notification covers a single page: count=" + count);
        }
        final int[] refs = new int[count];
        final Pointer pages = notify == null
            ? XenLibraries.GntTab.xengntshr_share_pages(gntshr, domid, count, refs, writable ? 1 : 0)
            : XenLibraries.GntTab.xengntshr_share_page_notify(gntshr, domid, refs, writable ? 1 : 0, notify.offset(),
                notify.port());
        if (pages == null)
        {
            throw new DriverException("cannot share " + count + " pages with domain " + domid + " ("
                + XenLibraries.lastError() + "; the gntalloc limit may be reached:"
                + " /sys/module/xen_gntalloc/parameters/limit)");
        }
        grants.addAndGet(count);
        final List<Integer> refList = new ArrayList<>();
        for (final int ref : refs)
        {
            refList.add(ref);
        }
        final AtomicBoolean closed = new AtomicBoolean();
        final ByteBuffer buffer = pages.getByteBuffer(0, (long) count * PAGE_SIZE);
        return new SharedPages()
        {
            @Override
            public int domid()
            {
                return domid;
            }

            @Override
            public List<Integer> refs()
            {
                return List.copyOf(refList);
            }

            @Override
            public ByteBuffer buffer()
            {
                return buffer;
            }

            @Override
            public void close() throws DriverException
            {
                if (closed.compareAndSet(false, true))
                {
                    grants.addAndGet(-count);
                    if (XenLibraries.GntTab.xengntshr_unshare(gntshr, pages, count) != 0)
                    {
                        throw new DriverException("cannot unshare pages shared with domain " + domid + " ("
                            + XenLibraries.lastError() + ")");
                    }
                }
            }
        };
    }

    @Override
    public MappedPages map(final int domid, final List<Integer> refs, final boolean writable, final UnmapNotify notify)
        throws DriverException
    {
        if (refs.isEmpty())
        {
            throw new IllegalArgumentException("map needs at least one grant ref");
        }
        if (notify != null && refs.size() != 1)
        {
            throw new IllegalArgumentException("Xen's unmap notification covers a single page: refs=" + refs.size());
        }
        final int prot = XenLibraries.PROT_READ | (writable ? XenLibraries.PROT_WRITE : 0);
        final int[] refArray = refs.stream().mapToInt(Integer::intValue).toArray();
        final Pointer pages = notify == null
            ? XenLibraries.GntTab.xengnttab_map_domain_grant_refs(gnttab, refArray.length, domid, refArray, prot)
            : XenLibraries.GntTab.xengnttab_map_grant_ref_notify(gnttab, domid, refArray[0], prot, notify.offset(),
                notify.port());
        if (pages == null)
        {
            throw new DriverException("domain " + domid + " has not granted refs " + refs + " to this domain, or not "
                + (writable ? "writable" : "readable") + " (" + XenLibraries.lastError() + ")");
        }
        mappings.addAndGet(refArray.length);
        final AtomicBoolean closed = new AtomicBoolean();
        final ByteBuffer buffer = pages.getByteBuffer(0, (long) refArray.length * PAGE_SIZE);
        return new MappedPages()
        {
            @Override
            public int domid()
            {
                return domid;
            }

            @Override
            public ByteBuffer buffer()
            {
                return buffer;
            }

            @Override
            public void close() throws DriverException
            {
                if (closed.compareAndSet(false, true))
                {
                    mappings.addAndGet(-refArray.length);
                    if (XenLibraries.GntTab.xengnttab_unmap(gnttab, pages, refArray.length) != 0)
                    {
                        throw new DriverException("cannot unmap pages of domain " + domid + " ("
                            + XenLibraries.lastError() + ")");
                    }
                }
            }
        };
    }

    @Override
    public Counts counts()
    {
        return new Counts(grants.get(), mappings.get(), ports.get());
    }
}
