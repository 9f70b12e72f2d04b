package io.tubes.xenstored.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transaction's view: its own changes over the live store, each live node as it was when the
 * transaction first looked at it, and that node's generation. It commits only if none of those nodes changed meanwhile, as C xenstored 4.17
 * decides conflicts; otherwise the client gets {@code EAGAIN}. Watches fire at commit.
 */
final class Transaction implements NodeSpace
{
    /** Marks a node the transaction removed. */
    private static final Node REMOVED = new Node(Node.EMPTY, List.of(), List.of(), -1);

    private final int id;
    private final LiveStore live;
    private final Map<String, Node> written = new LinkedHashMap<>();
    private final Map<String, Long> seenGenerations = new HashMap<>();
    private final Map<String, Node> seenNodes = new HashMap<>();
    private final Map<Integer, Integer> entryDelta = new HashMap<>();
    private final List<Change> changes = new ArrayList<>();

    Transaction(final int id, final LiveStore live)
    {
        this.id = id;
        this.live = live;
    }

    int id()
    {
        return id;
    }

    @Override
    public Node get(final String path)
    {
        final Node mine = written.get(path);
        if (mine != null)
        {
            return mine == REMOVED ? null : mine;
        }
        // The first look fixes what this transaction sees of the node, whatever lands outside later.
        if (!seenGenerations.containsKey(path))
        {
            final Node node = live.get(path);
            seenGenerations.put(path, node == null ? -1 : node.generation());
            seenNodes.put(path, node);
        }
        return seenNodes.get(path);
    }

    @Override
    public void put(final String path, final Node node)
    {
        final Node old = get(path);
        if (old != null)
        {
            entryDelta.merge(old.owner(), -1, Integer::sum);
        }
        entryDelta.merge(node.owner(), 1, Integer::sum);
        written.put(path, node);
    }

    @Override
    public void delete(final String path)
    {
        final Node old = get(path);
        if (old != null)
        {
            entryDelta.merge(old.owner(), -1, Integer::sum);
        }
        written.put(path, REMOVED);
    }

    @Override
    public int entries(final int domid)
    {
        return live.entries(domid) + entryDelta.getOrDefault(domid, 0);
    }

    /** Nodes the transaction looked at or changed; the {@code quota_trans_nodes} quota limits it. */
    int touched()
    {
        return seenGenerations.size();
    }

    void record(final List<Change> made)
    {
        changes.addAll(made);
    }

    /** Whether a node this transaction saw has changed in the live store since. */
    boolean conflicts()
    {
        for (final Map.Entry<String, Long> seen : seenGenerations.entrySet())
        {
            if (live.generationOf(seen.getKey()) != seen.getValue())
            {
                return true;
            }
        }
        return false;
    }

    /** Applies the changes to the live store and returns the watch events they fire. */
    List<Change> commit()
    {
        for (final Map.Entry<String, Node> entry : written.entrySet())
        {
            if (entry.getValue() == REMOVED)
            {
                live.delete(entry.getKey());
            }
            else
            {
                live.put(entry.getKey(), entry.getValue());
            }
        }
        return changes;
    }
}
