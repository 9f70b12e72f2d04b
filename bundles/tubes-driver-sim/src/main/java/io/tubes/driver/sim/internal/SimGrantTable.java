package io.tubes.driver.sim.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tubes.driver.DriverException;
import io.tubes.driver.GrantTable;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.UnmapNotify;

/**
 * Grant tables on the simulated host: a share is a file of zeroed pages in the host's shared memory,
 * registered with the host, which checks every map against Xen's rules before telling the mapper
 * where the pages are. Both domains then map the same file: the same memory, no copy.
 */
final class SimGrantTable implements GrantTable
{
    private final SimDomain domain;

    SimGrantTable(final SimDomain domain)
    {
        this.domain = domain;
    }

    @Override
    public SharedPages share(final int domid, final int count, final boolean writable, final UnmapNotify notify)
        throws DriverException
    {
        final String[] reply = domain.request("grant " + domid + " " + count + " " + (writable ? "rw" : "ro") + " "
            + notifyArguments(notify));
        final int firstRef = Integer.parseInt(reply[0]);
        final List<Integer> refs = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            refs.add(firstRef + i);
        }
        return new Pages(domid, refs, mapFile(Path.of(reply[1]), 0, (long) count * PAGE_SIZE, true),
            "ungrant " + firstRef);
    }

    @Override
    public MappedPages map(final int domid, final List<Integer> refs, final boolean writable, final UnmapNotify notify)
        throws DriverException
    {
        if (refs.isEmpty())
        {
            throw new IllegalArgumentException("map needs at least one grant ref");
        }
        final StringJoiner refList = new StringJoiner(",");
        refs.forEach(ref -> refList.add(Integer.toString(ref)));
        final String[] reply = domain.request("map " + domid + " " + (writable ? "rw" : "ro") + " "
            + notifyArguments(notify) + " " + refList);
        return new Pages(domid, List.of(), mapFile(Path.of(reply[1]), Long.parseLong(reply[2]),
            Long.parseLong(reply[3]), writable), "unmap " + reply[0]);
    }

    @Override
    public Counts counts() throws DriverException
    {
        final String[] reply = domain.request("counts");
        return new Counts(Integer.parseInt(reply[0]), Integer.parseInt(reply[1]), Integer.parseInt(reply[2]));
    }

    /** Pages shared or mapped; closing tells the host, once. */
    private final class Pages implements SharedPages, MappedPages
    {
        private final int domid;
        private final List<Integer> refs;
        private final ByteBuffer buffer;
        private final String release;
        private final AtomicBoolean closed = new AtomicBoolean();

        Pages(final int domid, final List<Integer> refs, final ByteBuffer buffer, final String release)
        {
            this.domid = domid;
            this.refs = List.copyOf(refs);
            this.buffer = buffer;
            this.release = release;
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
                domain.request(release);
            }
        }
    }

    private static String notifyArguments(final UnmapNotify notify)
    {
        return notify == null ? "-1 -1" : notify.offset() + " " + notify.port();
    }

    private static ByteBuffer mapFile(final Path file, final long offset, final long length, final boolean writable)
        throws DriverException
    {
        try (FileChannel channel = writable
            ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, offset,
                length);
        }
        catch (final IOException e)
        {
            throw new DriverException("cannot map granted pages " + file + ": " + e.getMessage(), e);
        }
    }
}
