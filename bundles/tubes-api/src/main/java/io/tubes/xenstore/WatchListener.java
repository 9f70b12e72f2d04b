package io.tubes.xenstore;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the events of one watch. Xen fires a watch once when it is set, then whenever the
 * watched node or anything below it changes; events may be spurious or coalesced, so a listener
 * reads the state it cares about rather than counting events.
 */
@ConsumerType
@FunctionalInterface
public interface WatchListener
{
    /**
     * A node at or below the watched path changed.
     *
     * @param path the changed node, relative when the watch was set with a relative path, or the
     *             special name ({@code @introduceDomain}, {@code @releaseDomain})
     */
    void changed(String path);
}
