package io.tubes.xenstored.internal;

import java.util.List;

import io.tubes.xenstore.Permission;

/**
 * A change that fires watches. {@code exact} changes fire only watches on exactly this path (a node
 * removed below the removed root); others fire watches on the path and its ancestors. A watcher sees
 * the event if any of {@code visibleTo} lets it read: the node's permissions, its old ones, its parent's.
 */
record Change(String path, boolean exact, List<List<Permission>> visibleTo)
{
}
