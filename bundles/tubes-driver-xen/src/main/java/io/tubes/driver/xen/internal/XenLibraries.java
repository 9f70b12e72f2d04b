package io.tubes.driver.xen.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Xen 4.17's user-space libraries, direct-mapped through JNA (names and signatures from
 * {@code xengnttab.h} and {@code xenevtchn.h}). Bound by {@link #load()} when a driver starts, never
 * when the class loads, so a machine without them gets a clear error, not a linkage failure.
 */
final class XenLibraries
{
    /** libxengnttab.so.1: grant maps (gnttab) and grant shares (gntshr). */
    static final class GntTab
    {
        private GntTab()
        {
        }

        static native Pointer xengnttab_open(Pointer logger, int flags);

        static native int xengnttab_close(Pointer handle);

        static native Pointer xengnttab_map_domain_grant_refs(Pointer handle, int count, int domid, int[] refs,
            int prot);

        static native Pointer xengnttab_map_grant_ref_notify(Pointer handle, int domid, int ref, int prot,
            int notifyOffset, int notifyPort);

        static native int xengnttab_unmap(Pointer handle, Pointer address, int count);

        static native Pointer xengntshr_open(Pointer logger, int flags);

        static native int xengntshr_close(Pointer handle);

        static native Pointer xengntshr_share_pages(Pointer handle, int domid, int count, int[] refs, int writable);

        static native Pointer xengntshr_share_page_notify(Pointer handle, int domid, int[] ref, int writable,
            int notifyOffset, int notifyPort);

        static native int xengntshr_unshare(Pointer handle, Pointer address, int count);
    }

    /** libxenevtchn.so.1: event channels. */
    static final class EvtChn
    {
        private EvtChn()
        {
        }

        static native Pointer xenevtchn_open(Pointer logger, int flags);

        static native int xenevtchn_close(Pointer handle);

        static native int xenevtchn_fd(Pointer handle);

        static native int xenevtchn_notify(Pointer handle, int port);

        static native int xenevtchn_bind_unbound_port(Pointer handle, int domid);

        static native int xenevtchn_bind_interdomain(Pointer handle, int domid, int remotePort);

        static native int xenevtchn_unbind(Pointer handle, int port);

        static native int xenevtchn_pending(Pointer handle);

        static native int xenevtchn_unmask(Pointer handle, int port);
    }

    /**
     * libc's ppoll, to wait for an event channel with a timeout (xenevtchn_pending itself blocks),
     * and an eventfd beside it, which another thread writes to end the wait.
     */
    static final class LibC
    {
        static final int EFD_CLOEXEC = 02000000;
        static final int EFD_NONBLOCK = 04000;

        private LibC()
        {
        }

        /** poll() with a timespec: waits shorter than a millisecond, which poll() would round to 0. */
        static native int ppoll(Pointer fds, long count, Pointer timeout, Pointer sigmask);

        static native int eventfd(int initval, int flags);

        static native long read(int fd, Pointer buffer, long count);

        static native long write(int fd, Pointer buffer, long count);

        static native int close(int fd);
    }

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;

    private static boolean loaded;

    private XenLibraries()
    {
    }

    /**
     * Binds the libraries.
     *
     * @throws IllegalStateException naming the missing library and the Debian package that has it
     */
    static synchronized void load()
    {
        if (loaded)
        {
            return;
        }
        bind(GntTab.class, "libxengnttab.so.1", "libxengnttab1");
        bind(EvtChn.class, "libxenevtchn.so.1", "libxenevtchn1");
        bind(LibC.class, "c", "libc6");
        loaded = true;
    }

    private static void bind(final Class<?> mapping, final String library, final String debianPackage)
    {
        try
        {
            Native.register(mapping, NativeLibrary.getInstance(library));
        }
        catch (final UnsatisfiedLinkError e)
        {
            throw new IllegalStateException("cannot load " + library + " (Debian package " + debianPackage + "): "
                + e.getMessage(), e);
        }
    }

    /** The error of the last call on this thread, for messages. */
    static String lastError()
    {
        final int errno = Native.getLastError();
        return "errno " + errno;
    }
}
