package io.tubes.xenstore.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where xenstored is reached: its Unix socket (dom0, or a domain of the simulated host) or the
 * xenbus device of a real guest. Found the way Xen's libxenstore finds it, {@code XENSTORED_PATH}
 * first, then the configured path, then what this domain's driver says, then Xen's own socket,
 * then the xenbus device. A simulated host's dom0 socket is never guessed: a program that is to be
 * dom0 there says so with {@code XENSTORED_PATH} or a configured path.
 *
 * @param path   the socket or device file
 * @param device true for a xenbus device, false for a socket
 */
public record XenStoreAddress(Path path, boolean device)
{
    /** Xen's dom0 socket. */
    public static final Path XEN_SOCKET = Path.of("/var/run/xenstored/socket");

    /** The xenbus device in a Linux guest. */
    public static final Path XENBUS_DEVICE = Path.of("/dev/xen/xenbus");

    /** The socket of a xenstored, or the xenbus device, at {@code path}, told apart as libxenstore does: by file type. */
    public static XenStoreAddress of(final Path path)
    {
        return new XenStoreAddress(path, isCharacterDevice(path));
    }

    /**
     * The address to use, given the configured path (empty for none), the driver's path (null for
     * no driver) and the process environment.
     *
     * @throws IOException naming every place looked at, when none of them exists
     */
    public static XenStoreAddress resolve(final String configured, final String fromDriver,
        final Map<String, String> environment) throws IOException
    {
        final String fromEnvironment = environment.get("XENSTORED_PATH");
        if (fromEnvironment != null && !fromEnvironment.isBlank())
        {
            return of(Path.of(fromEnvironment));
        }
        if (configured != null && !configured.isBlank())
        {
            return of(Path.of(configured));
        }
        if (fromDriver != null && !fromDriver.isBlank())
        {
            return of(Path.of(fromDriver));
        }
        for (final Path candidate : new Path[] {XEN_SOCKET, XENBUS_DEVICE})
        {
            if (Files.exists(candidate))
            {
                return of(candidate);
            }
        }
        throw new IOException("no xenstored found: XENSTORED_PATH is unset, no path is configured, no driver is running,"
            + " and neither " + XEN_SOCKET + " nor " + XENBUS_DEVICE + " exists");
    }

    private static boolean isCharacterDevice(final Path path)
    {
        try
        {
            final int mode = (Integer) Files.getAttribute(path, "unix:mode");
            return (mode & 0170000) == 0020000; // S_IFCHR
        }
        catch (final IOException | UnsupportedOperationException e)
        {
            return path.startsWith("/dev") || path.startsWith("/proc");
        }
    }

    @Override
    public String toString()
    {
        return (device ? "device " : "socket ") + path;
    }
}
