package io.tubes.sim.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where one simulated host keeps its sockets, shared by the host and every domain and tool of it:
 * {@code DIR/control} (domains join here), {@code DIR/xenstored/socket} (dom0's XenStore) and
 * {@code DIR/xenstored/domain/N} (domain N's XenStore).
 *
 * @param directory the host directory
 */
public record HostLayout(Path directory)
{
    /** The environment variable naming the host directory. */
    public static final String ENVIRONMENT = "TUBES_SIM_HOST";

    /**
     * The host directory: {@code configured} if given (a {@code --host-dir} option or configuration),
     * else {@code $TUBES_SIM_HOST}, else {@code tubes-sim-host} under {@code $XDG_RUNTIME_DIR} or
     * {@code /tmp}.
     */
    public static HostLayout resolve(final String configured, final Map<String, String> environment)
    {
        if (configured != null && !configured.isBlank())
        {
            return new HostLayout(Path.of(configured).toAbsolutePath());
        }
        final String named = environment.get(ENVIRONMENT);
        if (named != null && !named.isBlank())
        {
            return new HostLayout(Path.of(named).toAbsolutePath());
        }
        final String runtime = environment.get("XDG_RUNTIME_DIR");
        return new HostLayout(Path.of(runtime != null && !runtime.isBlank() ? runtime : "/tmp", "tubes-sim-host"));
    }

    /** Where domains join the host; their connection stays open for the domain's life. */
    public Path controlSocket()
    {
        return directory.resolve("control");
    }

    /** xenstored's run directory. */
    public Path xenstoredDirectory()
    {
        return directory.resolve("xenstored");
    }

    /** dom0's privileged XenStore socket. */
    public Path xenstoredSocket()
    {
        return xenstoredDirectory().resolve("socket");
    }

    /**
     * Where granted pages and event pages live: a directory in {@code /dev/shm} (memory, not disk)
     * named after the host directory, or {@code DIR/shm} where there is no {@code /dev/shm}.
     */
    public Path sharedMemoryDirectory()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm)
            ? shm.resolve("tubes-sim-" + Integer.toHexString(directory.toString().hashCode()))
            : directory.resolve("shm");
    }

    /** The event page of event-channel handle {@code handle}. */
    public Path eventPage(final int handle)
    {
        return sharedMemoryDirectory().resolve("evtchn-" + handle);
    }

    /** Domain {@code domid}'s XenStore socket, there while the domain is introduced. */
    public Path domainXenstoreSocket(final int domid)
    {
        return xenstoredDirectory().resolve("domain").resolve(Integer.toString(domid));
    }
}
