package io.tubes.xenstored.internal;

import static io.tubes.xenstore.XenStoreError.E2BIG;
import static io.tubes.xenstore.XenStoreError.EACCES;
import static io.tubes.xenstore.XenStoreError.EAGAIN;
import static io.tubes.xenstore.XenStoreError.EBUSY;
import static io.tubes.xenstore.XenStoreError.EEXIST;
import static io.tubes.xenstore.XenStoreError.EINVAL;
import static io.tubes.xenstore.XenStoreError.ENOENT;
import static io.tubes.xenstore.XenStoreError.ENOSPC;
import static io.tubes.xenstore.XenStoreError.ENOSYS;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.wire.XsHeader;
import io.tubes.xenstore.wire.XsMessageType;
import io.tubes.xenstore.wire.XsPaths;
import io.tubes.xenstore.wire.XsPayload;

/**
 * Answers XenStore requests the way C xenstored 4.17 does: checks the payload's shape, privilege and
 * transaction, applies {@link Tree}'s rules, fires watches, and keeps domains, watches and
 * transactions with their quotas. Runs only on the server's loop thread.
 */
final class Requests
{
    /** {@code quota_nb_watch_per_domain}. */
    static final int QUOTA_WATCHES = 128;

    /** {@code quota_max_transaction}: open transactions per connection of an unprivileged domain. */
    static final int QUOTA_TRANSACTIONS = 10;

    /** {@code quota_trans_nodes}: nodes an unprivileged domain's transaction may touch. */
    static final int QUOTA_TRANSACTION_NODES = 1024;

    /** Xen's {@code DOMID_SELF}. */
    private static final int DOMID_SELF = 0x7FF0;

    private static final byte[] OK = XsPayload.strings("OK");

    /** What the server does for requests that reach beyond the tree. */
    interface Host
    {
        void reply(Connection connection, XsHeader request, XsMessageType type, byte[] payload);

        void event(Connection connection, String path, String token);

        Iterable<Connection> connections();

        void domainIntroduced(int domid);

        void domainReleased(int domid);
    }

    private final LiveStore store = new LiveStore();
    private final Map<String, List<Permission>> specialPerms = new HashMap<>();
    private final Set<Integer> domains = new TreeSet<>();
    private final Map<Integer, Integer> targets = new HashMap<>();
    private final Map<Integer, Integer> watchesByDomain = new HashMap<>();
    private final Host host;

    Requests(final Host host)
    {
        this.host = host;
        final Caller dom0 = new Caller(0, true, Caller.NO_TARGET);
        for (final String path : List.of("/local/domain", "/tool/xenstored"))
        {
            try
            {
                Tree.mkdir(dom0, store, path);
            }
            catch (final XsFailure e)
            {
                throw new IllegalStateException("cannot lay out the initial tree: " + e.error(), e);
            }
        }
        final List<Permission> dom0Only = List.of(new Permission(0, Permission.Access.NONE));
        specialPerms.put(XsPaths.INTRODUCE_DOMAIN, dom0Only);
        specialPerms.put(XsPaths.RELEASE_DOMAIN, dom0Only);
        domains.add(0);
    }

    /** The caller a new connection of {@code domid} acts as. */
    Caller callerFor(final int domid, final boolean privileged)
    {
        return new Caller(domid, privileged, targets.getOrDefault(domid, Caller.NO_TARGET));
    }

    Set<Integer> domains()
    {
        return Set.copyOf(domains);
    }

    int nodeCount()
    {
        return store.size();
    }

    int entries(final int domid)
    {
        return store.entries(domid);
    }

    /** Handles one complete request; every outcome is a reply or an error reply. */
    void handle(final Connection connection, final XsHeader request, final byte[] payload)
    {
        final XsMessageType type = request.messageType();
        try
        {
            final byte[] reply = dispatch(connection, request, type, payload);
            host.reply(connection, request, type, reply);
            if (type == XsMessageType.WATCH)
            {
                // Xen fires a new watch once, after acknowledging it, so clients need no special start-up read.
                final Connection.WatchEntry added = connection.watches.get(connection.watches.size() - 1);
                host.event(connection, eventPath(added, added.path()), added.token());
            }
        }
        catch (final XsFailure e)
        {
            host.reply(connection, request, XsMessageType.ERROR, XsPayload.strings(e.error().name()));
        }
    }

    private byte[] dispatch(final Connection connection, final XsHeader request, final XsMessageType type,
        final byte[] payload) throws XsFailure
    {
        if (type == null || type == XsMessageType.WATCH_EVENT || type == XsMessageType.ERROR)
        {
            throw new XsFailure(ENOSYS);
        }
        final Caller caller = connection.caller;
        if (isPrivilegedOnly(type) && caller.unprivileged())
        {
            throw new XsFailure(EACCES);
        }
        final Transaction transaction = type == XsMessageType.WATCH || type == XsMessageType.UNWATCH
            ? null
            : transactionOf(connection, request.txId());
        final NodeSpace space = transaction == null ? store : transaction;
        switch (type)
        {
            case READ:
                return Tree.read(caller, space, path(caller, oneArg(payload)));
            case DIRECTORY:
                return Tree.directory(caller, space, path(caller, oneArg(payload))).childrenBytes();
            case DIRECTORY_PART:
                return directoryPart(caller, space, payload);
            case GET_PERMS:
                return permsPayload(Tree.getPerms(caller, space, path(caller, oneArg(payload))));
            case WRITE:
            {
                final List<String> args = XsPayload.split(payload, payload.length);
                if (args.isEmpty())
                {
                    throw new XsFailure(EINVAL);
                }
                final int valueStart = args.get(0).length() + 1;
                final byte[] value = Arrays.copyOfRange(payload, valueStart, payload.length);
                return changed(caller, transaction, Tree.write(caller, space, path(caller, args.get(0)), value));
            }
            case MKDIR:
                return changed(caller, transaction, Tree.mkdir(caller, space, path(caller, oneArg(payload))));
            case RM:
                return changed(caller, transaction, Tree.rm(caller, space, path(caller, oneArg(payload))));
            case SET_PERMS:
                return setPerms(caller, transaction, space, payload);
            case WATCH:
                return watch(connection, payload);
            case UNWATCH:
                return unwatch(connection, payload);
            case TRANSACTION_START:
                return startTransaction(connection, transaction);
            case TRANSACTION_END:
                return endTransaction(connection, transaction, oneArg(payload));
            case GET_DOMAIN_PATH:
                return XsPayload.strings(XsPaths.domainPath(leadingNumber(oneArg(payload))));
            case IS_DOMAIN_INTRODUCED:
            {
                final int domid = leadingNumber(oneArg(payload));
                return XsPayload.strings(domid == DOMID_SELF || domains.contains(domid) ? "T" : "F");
            }
            case INTRODUCE:
                return introduce(payload);
            case RELEASE:
                release(knownDomain(oneArg(payload)));
                return OK;
            case RESUME:
                knownDomain(oneArg(payload));
                return OK;
            case SET_TARGET:
                return setTarget(payload);
            case RESET_WATCHES:
                removeWatches(connection);
                connection.transactions.clear();
                return OK;
            case CONTROL:
                return control(payload);
            default:
                throw new XsFailure(ENOSYS);
        }
    }

    private static boolean isPrivilegedOnly(final XsMessageType type)
    {
        switch (type)
        {
            case CONTROL:
            case INTRODUCE:
            case RELEASE:
            case IS_DOMAIN_INTRODUCED:
            case RESUME:
            case SET_TARGET:
                return true;
            default:
                return false;
        }
    }

    private static Transaction transactionOf(final Connection connection, final int txId) throws XsFailure
    {
        if (txId == 0)
        {
            return null;
        }
        final Transaction transaction = connection.transactions.get(txId);
        if (transaction == null)
        {
            throw new XsFailure(ENOENT);
        }
        return transaction;
    }

    /** The payload's only argument: exactly one NUL, at the end. */
    private static String oneArg(final byte[] payload) throws XsFailure
    {
        if (payload.length == 0 || payload[payload.length - 1] != 0)
        {
            throw new XsFailure(EINVAL);
        }
        for (int i = 0; i < payload.length - 1; i++)
        {
            if (payload[i] == 0)
            {
                throw new XsFailure(EINVAL);
            }
        }
        return new String(payload, 0, payload.length - 1, StandardCharsets.ISO_8859_1);
    }

    private static String path(final Caller caller, final String path)
    {
        return XsPaths.canonical(path, caller.domainPath());
    }

    /** Like C's {@code atoi}: the leading decimal digits, 0 when there are none. */
    private static int leadingNumber(final String text)
    {
        long value = 0;
        for (int i = 0; i < text.length() && Character.isDigit(text.charAt(i)) && value <= Integer.MAX_VALUE; i++)
        {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return (int) Math.min(value, Integer.MAX_VALUE);
    }

    private byte[] changed(final Caller caller, final Transaction transaction, final List<Change> changes)
        throws XsFailure
    {
        if (transaction == null)
        {
            fire(changes);
        }
        else
        {
            if (caller.unprivileged() && transaction.touched() > QUOTA_TRANSACTION_NODES)
            {
                throw new XsFailure(ENOSPC);
            }
            transaction.record(changes);
        }
        return OK;
    }

    private static byte[] directoryPart(final Caller caller, final NodeSpace space, final byte[] payload)
        throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.size() != 2 || payload[payload.length - 1] != 0)
        {
            throw new XsFailure(EINVAL);
        }
        final Node node = Tree.directory(caller, space, path(caller, args.get(0)));
        final byte[] children = node.childrenBytes();
        final byte[] generation = XsPayload.strings(Long.toString(node.generation()));
        final int offset = leadingNumber(args.get(1));
        // A part holds whole names; the list ends with an empty name once the last one is in.
        final int room = XsHeader.PAYLOAD_MAX - generation.length - 1;
        int end = Math.min(offset, children.length);
        while (end < children.length)
        {
            int next = end;
            while (children[next] != 0)
            {
                next++;
            }
            if (next + 1 - offset > room)
            {
                break;
            }
            end = next + 1;
        }
        final boolean complete = end == children.length;
        final byte[] part = new byte[generation.length + (end - Math.min(offset, end)) + (complete ? 1 : 0)];
        System.arraycopy(generation, 0, part, 0, generation.length);
        System.arraycopy(children, Math.min(offset, end), part, generation.length, end - Math.min(offset, end));
        return part;
    }

    private static byte[] permsPayload(final List<Permission> perms)
    {
        final String[] texts = new String[perms.size()];
        for (int i = 0; i < texts.length; i++)
        {
            texts[i] = perms.get(i).toString();
        }
        return XsPayload.strings(texts);
    }

    private byte[] setPerms(final Caller caller, final Transaction transaction, final NodeSpace space,
        final byte[] payload) throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.size() < 2)
        {
            throw new XsFailure(EINVAL);
        }
        Tree.checkPermCount(caller, args.size() - 1);
        final List<Permission> perms = new ArrayList<>();
        for (final String text : args.subList(1, args.size()))
        {
            try
            {
                perms.add(Permission.parse(text));
            }
            catch (final IllegalArgumentException e)
            {
                throw new XsFailure(EINVAL);
            }
        }
        final String name = args.get(0);
        if (name.startsWith("@"))
        {
            final List<Permission> current = specialPerms.get(name);
            if (current == null)
            {
                throw new XsFailure(EINVAL);
            }
            final int needed = Tree.PERM_WRITE | Tree.PERM_OWNER;
            if ((Tree.permFor(caller, current) & needed) != needed)
            {
                throw new XsFailure(EACCES);
            }
            specialPerms.put(name, List.copyOf(perms));
            return OK;
        }
        return changed(caller, transaction, Tree.setPerms(caller, space, path(caller, name), perms));
    }

    private byte[] watch(final Connection connection, final byte[] payload) throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.size() != 2)
        {
            throw new XsFailure(EINVAL);
        }
        final String given = args.get(0);
        final String token = args.get(1);
        final String path;
        String relativeBase = null;
        if (given.startsWith("@"))
        {
            if (given.length() > XsPaths.REL_PATH_MAX)
            {
                throw new XsFailure(EINVAL);
            }
            path = given;
        }
        else
        {
            path = path(connection.caller, given);
            if (!given.startsWith("/"))
            {
                relativeBase = connection.caller.domainPath();
            }
            if (!XsPaths.isValidAbsolute(path))
            {
                throw new XsFailure(EINVAL);
            }
        }
        for (final Connection.WatchEntry existing : connection.watches)
        {
            if (existing.path().equals(path) && existing.token().equals(token))
            {
                throw new XsFailure(EEXIST);
            }
        }
        final int domid = connection.caller.domid();
        if (connection.caller.unprivileged() && watchesByDomain.getOrDefault(domid, 0) >= QUOTA_WATCHES)
        {
            throw new XsFailure(E2BIG);
        }
        final Connection.WatchEntry entry = new Connection.WatchEntry(path, token, relativeBase);
        connection.watches.add(entry);
        watchesByDomain.merge(domid, 1, Integer::sum);
        return OK;
    }

    private byte[] unwatch(final Connection connection, final byte[] payload) throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.size() != 2)
        {
            throw new XsFailure(EINVAL);
        }
        final String path = path(connection.caller, args.get(0));
        final Iterator<Connection.WatchEntry> it = connection.watches.iterator();
        while (it.hasNext())
        {
            final Connection.WatchEntry entry = it.next();
            if (entry.path().equals(path) && entry.token().equals(args.get(1)))
            {
                it.remove();
                watchesByDomain.merge(connection.caller.domid(), -1, Integer::sum);
                return OK;
            }
        }
        throw new XsFailure(ENOENT);
    }

    /** Drops a connection's watches (reset, or the connection closed). */
    void removeWatches(final Connection connection)
    {
        watchesByDomain.merge(connection.caller.domid(), -connection.watches.size(), Integer::sum);
        connection.watches.clear();
    }

    private byte[] startTransaction(final Connection connection, final Transaction current) throws XsFailure
    {
        if (current != null)
        {
            throw new XsFailure(EBUSY);
        }
        if (connection.caller.unprivileged() && connection.transactions.size() >= QUOTA_TRANSACTIONS)
        {
            throw new XsFailure(ENOSPC);
        }
        int id = connection.nextTransactionId;
        while (id == 0 || connection.transactions.containsKey(id))
        {
            id++;
        }
        connection.nextTransactionId = id + 1;
        connection.transactions.put(id, new Transaction(id, store));
        return XsPayload.strings(Integer.toString(id));
    }

    private byte[] endTransaction(final Connection connection, final Transaction transaction, final String arg)
        throws XsFailure
    {
        if (!"T".equals(arg) && !"F".equals(arg))
        {
            throw new XsFailure(EINVAL);
        }
        if (transaction == null)
        {
            throw new XsFailure(ENOENT);
        }
        connection.transactions.remove(transaction.id());
        if ("T".equals(arg))
        {
            if (transaction.conflicts())
            {
                throw new XsFailure(EAGAIN);
            }
            if (connection.caller.unprivileged()
                && transaction.entries(connection.caller.domid()) > Tree.QUOTA_ENTRIES)
            {
                throw new XsFailure(ENOSPC);
            }
            fire(transaction.commit());
        }
        return OK;
    }

    private byte[] introduce(final byte[] payload) throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.size() < 3)
        {
            throw new XsFailure(EINVAL);
        }
        final int domid = leadingNumber(args.get(0));
        if (leadingNumber(args.get(2)) <= 0 || domid > Permission.MAX_DOMID)
        {
            throw new XsFailure(EINVAL);
        }
        introduce(domid);
        return OK;
    }

    /** Makes a domain known: its socket opens and {@code @introduceDomain} fires. Introducing again is fine. */
    void introduce(final int domid)
    {
        if (domains.add(domid))
        {
            host.domainIntroduced(domid);
            fire(List.of(new Change(XsPaths.INTRODUCE_DOMAIN, false, List.of())));
        }
    }

    private int knownDomain(final String arg) throws XsFailure
    {
        final int domid = leadingNumber(arg);
        if (domid == 0)
        {
            throw new XsFailure(EINVAL);
        }
        if (!domains.contains(domid))
        {
            throw new XsFailure(ENOENT);
        }
        return domid;
    }

    /**
     * Forgets a domain: its connections close, the nodes it owns are removed (with their watch
     * events), it loses its entries in the special permissions, and {@code @releaseDomain} fires.
     */
    void release(final int domid)
    {
        if (!domains.remove(domid))
        {
            return;
        }
        host.domainReleased(domid);
        targets.remove(domid);
        targets.values().removeIf(target -> target == domid);
        final List<Change> changes = new ArrayList<>();
        removeOwnedBy(domid, "/", changes);
        fire(changes);
        specialPerms.replaceAll((name, perms) -> withoutDomain(perms, domid));
        fire(List.of(new Change(XsPaths.RELEASE_DOMAIN, false, List.of())));
    }

    private void removeOwnedBy(final int domid, final String path, final List<Change> changes)
    {
        final Node node = store.get(path);
        if (node == null)
        {
            return;
        }
        if (node.owner() == domid && !"/".equals(path))
        {
            Tree.removeSubtree(store, path, path, changes);
            final String parentPath = XsPaths.parent(path);
            store.put(parentPath, store.get(parentPath).withoutChild(XsPaths.name(path)));
            return;
        }
        for (final String child : node.children())
        {
            removeOwnedBy(domid, XsPaths.child(path, child), changes);
        }
    }

    private static List<Permission> withoutDomain(final List<Permission> perms, final int domid)
    {
        final List<Permission> kept = new ArrayList<>();
        kept.add(perms.get(0).domid() == domid ? new Permission(0, perms.get(0).access()) : perms.get(0));
        for (final Permission perm : perms.subList(1, perms.size()))
        {
            if (perm.domid() != domid)
            {
                kept.add(perm);
            }
        }
        return List.copyOf(kept);
    }

    private byte[] setTarget(final byte[] payload) throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.size() < 2)
        {
            throw new XsFailure(EINVAL);
        }
        final int domid = leadingNumber(args.get(0));
        final int target = leadingNumber(args.get(1));
        if (!domains.contains(domid) || !domains.contains(target))
        {
            throw new XsFailure(ENOENT);
        }
        targets.put(domid, target);
        for (final Connection connection : host.connections())
        {
            if (connection.caller.domid() == domid && connection.caller.unprivileged())
            {
                connection.caller = callerFor(domid, false);
            }
        }
        return OK;
    }

    private byte[] control(final byte[] payload) throws XsFailure
    {
        final List<String> args = XsPayload.split(payload, payload.length);
        if (args.isEmpty())
        {
            throw new XsFailure(EINVAL);
        }
        switch (args.get(0))
        {
            case "check":
                return OK;
            case "print":
                System.getLogger("io.tubes.xenstored").log(System.Logger.Level.INFO,
                    String.join(" ", args.subList(1, args.size())));
                return OK;
            case "quota":
                return XsPayload.strings(String.format(
                    "Quota settings:%n  nodes per domain: %d%n  node size: %d%n  watches per domain: %d%n"
                        + "  transactions per connection: %d%n  nodes per transaction: %d%n"
                        + "  permissions per node: %d%n",
                    Tree.QUOTA_ENTRIES, Tree.QUOTA_NODE_SIZE, QUOTA_WATCHES, QUOTA_TRANSACTIONS,
                    QUOTA_TRANSACTION_NODES, Tree.QUOTA_PERMS));
            case "help":
                return XsPayload.strings("Supported commands:\ncheck\nhelp\nprint <string>\nquota\n");
            default:
                throw new XsFailure(EINVAL);
        }
    }

    /** Sends each change to every watch it matches, where the watcher may see it. */
    private void fire(final List<Change> changes)
    {
        for (final Change change : changes)
        {
            final boolean special = change.path().startsWith("@");
            for (final Connection connection : host.connections())
            {
                if (connection.watches.isEmpty() || !visible(connection.caller, change, special))
                {
                    continue;
                }
                for (final Connection.WatchEntry watch : List.copyOf(connection.watches))
                {
                    final boolean matches = change.exact()
                        ? change.path().equals(watch.path())
                        : XsPaths.isAtOrBelow(change.path(), watch.path());
                    if (matches && !connection.closed)
                    {
                        host.event(connection, eventPath(watch, change.path()), watch.token());
                    }
                }
            }
        }
    }

    private boolean visible(final Caller caller, final Change change, final boolean special)
    {
        if (special)
        {
            final List<Permission> perms = specialPerms.get(change.path());
            return perms != null && (Tree.permFor(caller, perms) & Tree.PERM_READ) != 0;
        }
        for (final List<Permission> perms : change.visibleTo())
        {
            if ((Tree.permFor(caller, perms) & Tree.PERM_READ) != 0)
            {
                return true;
            }
        }
        return false;
    }

    private static String eventPath(final Connection.WatchEntry watch, final String path)
    {
        if (watch.relativeBase() == null || !path.startsWith(watch.relativeBase()))
        {
            return path;
        }
        final String rest = path.substring(watch.relativeBase().length());
        return rest.startsWith("/") ? rest.substring(1) : rest;
    }
}
