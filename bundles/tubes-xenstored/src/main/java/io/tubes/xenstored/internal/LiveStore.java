package io.tubes.xenstored.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tubes.xenstore.Permission;

/**
 * The committed tree: nodes by absolute path, each stamped with the generation of its last change
 * (which is how a transaction learns that something it saw has changed), and per-domain node counts
 * for the entry quota.
 */
final class LiveStore implements NodeSpace
{
    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<Integer, Integer> entriesByOwner = new HashMap<>();
    private long generation;

    LiveStore()
    {
        final List<Permission> dom0Only = List.of(new Permission(0, Permission.Access.NONE));
        put("/", new Node(Node.EMPTY, dom0Only, List.of(), 0));
    }

    @Override
    public Node get(final String path)
    {
        return nodes.get(path);
    }

    @Override
    public void put(final String path, final Node node)
    {
        final Node old = nodes.put(path, node.withGeneration(++generation));
        if (old != null)
        {
            count(old.owner(), -1);
        }
        count(node.owner(), 1);
    }

    @Override
    public void delete(final String path)
    {
        final Node old = nodes.remove(path);
        if (old != null)
        {
            count(old.owner(), -1);
        }
    }

    @Override
    public int entries(final int domid)
    {
        return entriesByOwner.getOrDefault(domid, 0);
    }

    /** The generation of the node at {@code path}, or -1 if there is none. */
    long generationOf(final String path)
    {
        final Node node = nodes.get(path);
        return node == null ? -1 : node.generation();
    }

    int size()
    {
        return nodes.size();
    }

    private void count(final int owner, final int delta)
    {
        entriesByOwner.merge(owner, delta, Integer::sum);
    }
}
