package io.tubes.xenstored.internal;

import static io.tubes.xenstore.XenStoreError.EACCES;
import static io.tubes.xenstore.XenStoreError.EINVAL;
import static io.tubes.xenstore.XenStoreError.ENOENT;
import static io.tubes.xenstore.XenStoreError.ENOSPC;
import static io.tubes.xenstore.XenStoreError.EPERM;

import java.util.ArrayList;
import java.util.List;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.wire.XsPaths;

/**
 * Xen's node semantics (C xenstored 4.17): permission checks that do not leak whether a node exists,
 * parents created implicitly and inheriting permissions (owned by an unprivileged creator),
 * recursive removal, and the quotas that apply to unprivileged domains. Every method works on a
 * {@link NodeSpace}, so the same rules hold inside and outside transactions; each mutation returns
 * the {@link Change}s that fire watches.
 */
final class Tree
{
    static final int PERM_READ = 1;
    static final int PERM_WRITE = 2;
    static final int PERM_OWNER = 8;

    /** {@code quota_nb_entry_per_domain}: nodes an unprivileged domain may own. */
    static final int QUOTA_ENTRIES = 1000;

    /** {@code quota_max_entry_size}: an unprivileged domain's node record must stay below this. */
    static final int QUOTA_NODE_SIZE = 2048;

    /** {@code quota_nb_perms_per_node}. */
    static final int QUOTA_PERMS = 5;

    private Tree()
    {
    }

    /** What {@code caller} may do with a node that has {@code perms}: a mask of the PERM_ bits. */
    static int permFor(final Caller caller, final List<Permission> perms)
    {
        if (caller.privileged() || caller.actsFor(perms.get(0).domid()))
        {
            return PERM_READ | PERM_WRITE | PERM_OWNER;
        }
        for (int i = 1; i < perms.size(); i++)
        {
            if (caller.actsFor(perms.get(i).domid()))
            {
                return mask(perms.get(i).access());
            }
        }
        return mask(perms.get(0).access());
    }

    private static int mask(final Permission.Access access)
    {
        return (access.canRead() ? PERM_READ : 0) | (access.canWrite() ? PERM_WRITE : 0);
    }

    /**
     * The node at a canonical path, if {@code caller} has all of {@code perm}. A missing or forbidden
     * node is {@code ENOENT} only when the nearest existing ancestor would allow {@code perm};
     * otherwise {@code EACCES}, so that nobody learns what exists where they may not look.
     */
    static Node get(final Caller caller, final NodeSpace space, final String path, final int perm)
        throws XsFailure
    {
        if (!XsPaths.isValidAbsolute(path))
        {
            throw new XsFailure(EINVAL);
        }
        final Node node = space.get(path);
        if (node != null && (permFor(caller, node.perms()) & perm) == perm)
        {
            return node;
        }
        final XenStoreError error = node == null ? ENOENT : EACCES;
        Node ancestor = null;
        String at = path;
        while (ancestor == null)
        {
            at = XsPaths.parent(at);
            ancestor = space.get(at);
        }
        throw new XsFailure((permFor(caller, ancestor.perms()) & perm) != 0 ? error : EACCES);
    }

    static byte[] read(final Caller caller, final NodeSpace space, final String path) throws XsFailure
    {
        return get(caller, space, path, PERM_READ).value();
    }

    static Node directory(final Caller caller, final NodeSpace space, final String path) throws XsFailure
    {
        return get(caller, space, path, PERM_READ);
    }

    static List<Permission> getPerms(final Caller caller, final NodeSpace space, final String path)
        throws XsFailure
    {
        return get(caller, space, path, PERM_READ).perms();
    }

    static List<Change> write(final Caller caller, final NodeSpace space, final String path, final byte[] value)
        throws XsFailure
    {
        final Node existing = getOrMissing(caller, space, path, PERM_WRITE);
        if (existing == null)
        {
            return create(caller, space, path, value);
        }
        final Node updated = existing.withValue(value);
        checkSize(caller, updated);
        space.put(path, updated);
        return List.of(changed(path, false, updated.perms(), space));
    }

    static List<Change> mkdir(final Caller caller, final NodeSpace space, final String path) throws XsFailure
    {
        return getOrMissing(caller, space, path, PERM_WRITE) == null
            ? create(caller, space, path, Node.EMPTY)
            : List.of();
    }

    static List<Change> rm(final Caller caller, final NodeSpace space, final String path) throws XsFailure
    {
        final Node node = getOrMissing(caller, space, path, PERM_WRITE);
        final String parentPath = XsPaths.parent(path);
        if (node == null)
        {
            if (space.get(parentPath) != null)
            {
                return List.of(); // already gone: fine, as long as the parent exists
            }
            throw new XsFailure(ENOENT);
        }
        if ("/".equals(path))
        {
            throw new XsFailure(EINVAL);
        }
        final List<Change> changes = new ArrayList<>();
        removeSubtree(space, path, path, changes);
        final Node parent = space.get(parentPath);
        space.put(parentPath, parent.withoutChild(XsPaths.name(path)));
        return changes;
    }

    /** Removes a node and all below it, children first, recording the watch events with the perms seen before removal. */
    static void removeSubtree(final NodeSpace space, final String root, final String path, final List<Change> changes)
    {
        final Node node = space.get(path);
        if (node == null)
        {
            return;
        }
        for (final String child : node.children())
        {
            removeSubtree(space, root, XsPaths.child(path, child), changes);
        }
        changes.add(changed(path, !root.equals(path), node.perms(), space));
        space.delete(path);
    }

    static List<Change> setPerms(final Caller caller, final NodeSpace space, final String path,
        final List<Permission> perms) throws XsFailure
    {
        final Node node = get(caller, space, path, PERM_WRITE | PERM_OWNER);
        if (caller.unprivileged() && perms.get(0).domid() != node.owner())
        {
            throw new XsFailure(EPERM);
        }
        final Node updated = node.withPerms(perms);
        checkSize(caller, updated);
        space.put(path, updated);
        final Change change = changed(path, false, updated.perms(), space);
        final List<List<Permission>> visible = new ArrayList<>(change.visibleTo());
        visible.add(node.perms());
        return List.of(new Change(path, false, visible));
    }

    /** Checks the per-node permission-count quota before a SET_PERMS. */
    static void checkPermCount(final Caller caller, final int count) throws XsFailure
    {
        if (caller.unprivileged() && count > QUOTA_PERMS)
        {
            throw new XsFailure(ENOSPC);
        }
    }

    private static Node getOrMissing(final Caller caller, final NodeSpace space, final String path, final int perm)
        throws XsFailure
    {
        try
        {
            return get(caller, space, path, perm);
        }
        catch (final XsFailure e)
        {
            if (e.error() == ENOENT)
            {
                return null;
            }
            throw e;
        }
    }

    /** Creates a node and its missing ancestors, all checked against the quotas before anything changes. */
    private static List<Change> create(final Caller caller, final NodeSpace space, final String path,
        final byte[] value) throws XsFailure
    {
        final List<String> missing = new ArrayList<>();
        String at = path;
        while (space.get(at) == null)
        {
            missing.add(at);
            at = XsPaths.parent(at);
        }
        if (caller.unprivileged() && space.entries(caller.domid()) + missing.size() > QUOTA_ENTRIES)
        {
            throw new XsFailure(ENOSPC);
        }
        final List<String> paths = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
        String parentPath = at;
        Node parent = space.get(at);
        for (int i = missing.size() - 1; i >= 0; i--)
        {
            final String childPath = missing.get(i);
            final Node withChild = parent.withChild(XsPaths.name(childPath));
            checkSize(caller, withChild);
            paths.add(parentPath);
            nodes.add(withChild);
            final List<Permission> perms = new ArrayList<>(parent.perms());
            if (caller.unprivileged())
            {
                perms.set(0, new Permission(caller.domid(), perms.get(0).access()));
            }
            parent = new Node(i == 0 ? value : Node.EMPTY, List.copyOf(perms), List.of(), 0);
            parentPath = childPath;
        }
        checkSize(caller, parent);
        paths.add(parentPath);
        nodes.add(parent);
        for (int i = 0; i < paths.size(); i++)
        {
            space.put(paths.get(i), nodes.get(i));
        }
        return List.of(changed(path, false, parent.perms(), space));
    }

    private static void checkSize(final Caller caller, final Node node) throws XsFailure
    {
        if (caller.unprivileged() && node.recordSize() >= QUOTA_NODE_SIZE)
        {
            throw new XsFailure(ENOSPC);
        }
    }

    private static Change changed(final String path, final boolean exact, final List<Permission> perms,
        final NodeSpace space)
    {
        final Node parent = "/".equals(path) ? null : space.get(XsPaths.parent(path));
        return new Change(path, exact, parent == null ? List.of(perms) : List.of(perms, parent.perms()));
    }
}
