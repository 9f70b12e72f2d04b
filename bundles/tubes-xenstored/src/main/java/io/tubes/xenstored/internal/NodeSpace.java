package io.tubes.xenstored.internal;

/** Where {@link Tree} finds and changes nodes: the live store, or a transaction's view of it. */
interface NodeSpace
{
    /** The node at an absolute path, or {@code null}. */
    Node get(String path);

    /** Stores a node, replacing any at the path. */
    void put(String path, Node node);

    /** Removes the node at the path (not its children: the caller walks them). */
    void delete(String path);

    /** Nodes owned by a domain, as quotas count them. */
    int entries(int domid);
}
