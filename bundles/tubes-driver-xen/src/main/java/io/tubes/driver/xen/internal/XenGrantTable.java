package io.tubes.driver.xen.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

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
        return new Pages(domid, refList, pages, count, grants,
            () -> XenLibraries.GntTab.xengntshr_unshare(gntshr, pages, count), "unshare pages shared with");
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
        return new Pages(domid, List.of(), pages, refArray.length, mappings,
            () -> XenLibraries.GntTab.xengnttab_unmap(gnttab, pages, refArray.length), "unmap pages of");
    }

    @Override
    public Counts counts()
    {
        return new Counts(grants.get(), mappings.get(), ports.get());
    }

    /** Pages shared or mapped; closing releases them through Xen, once, and uncounts them. */
    private static final class Pages implements SharedPages, MappedPages
    {
        private final int domid;
        private final List<Integer> refs;
        private final ByteBuffer buffer;
        private final int count;
        private final AtomicInteger counter;
        private final IntSupplier release;
        private final String what;
        private final AtomicBoolean closed = new AtomicBoolean();

        Pages(final int domid, final List<Integer> refs, final Pointer pages, final int count,
            final AtomicInteger counter, final IntSupplier release, final String what)
        {
            this.domid = domid;
            this.refs = List.copyOf(refs);
            this.buffer = pages.getByteBuffer(0, (long) count * PAGE_SIZE);
            this.count = count;
            this.counter = counter;
            this.release = release;
            this.what = what;
        }

        @Override
        public int domid()
        {
            return domid;
        }

        @Override
        public List<Integer> refs()
        {
            return refs;
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
                counter.addAndGet(-count);
                if (release.getAsInt() != 0)
                {
                    throw new DriverException("cannot " + what + " domain " + domid + " (" + XenLibraries.lastError()
                        + ")");
                }
            }
        }
    }
}
