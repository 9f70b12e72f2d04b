package io.tubes.handshake.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.tubes.driver.DriverException;
import io.tubes.driver.XenDriver;
import io.tubes.handshake.AcceptPolicy;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEvents;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeId;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubePaths;
import io.tubes.tube.TubeRole;
import io.tubes.tube.TubeState;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreOperations;
import io.tubes.xenstore.wire.XsPaths;

/**
 * A domain's handshake: its open {@code data/tip} and the watch on it, the knocks waiting for an
 * accept, one watch per peer and role (on the directory that holds all the tubes with that peer, so
 * that hundreds of tubes cost a few watches), and every tube end. All of it is guarded by this
 * object's lock; watch events, timers and users' calls each take it for one step.
 *
 * <p>A peer cannot make it hold much for knocks it sends: at most {@link AcceptPolicy#MAX_WAITING} knocks
 * wait for an accept, and at most {@link AcceptPolicy#MAX_REFUSED} refused knocks keep the {@code error} node
 * written for them (later ones are removed without one). Each knock's nodes are the nock's, in
 * the nock's XenStore quota.
 */
public final class Engine implements TubeEngine
{
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());
    private static final int MAX_WAITING = AcceptPolicy.MAX_WAITING;
    private static final int MAX_REFUSED = AcceptPolicy.MAX_REFUSED;
    private static final TubeEvents NO_EVENTS = new TubeEvents()
    {
        @Override
        public void connected(final Tube tube)
        {
        }

        @Override
        public void disconnected(final Tube tube, final String reason)
        {
        }
    };

    final XenStore xs;
    final XenDriver driver;
    private final int domid;
    private final String name;
    private final String knocks;
    private final ScheduledExecutorService thread;
    private final Map<Key, TubeEnd> ends = new LinkedHashMap<>();
    /** Knocks seen and checked, waiting for an accept, oldest first. */
    private final Deque<TubePaths> waiting = new ArrayDeque<>();
    private final Deque<AcceptRequest> accepts = new ArrayDeque<>();
    private final Map<String, PeerWatch> peerWatches = new HashMap<>();
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    /** Refused knocks whose error node is still there for their nock to read. */
    private final Set<TubePaths> refused = new HashSet<>();
    private final TubeEvents events;
    private volatile AcceptPolicy policy;
    /** Steps that run once the current one is done, before the lock is let go: events, then frees. */
    private final Deque<TubeEnd.Step> afterStep = new ArrayDeque<>();
    private int depth;
    private Watch knockWatch;
    private boolean closed;

    private record Key(TubeRole role, TubePaths paths)
    {
    }

    /** A watch on a peer's directory of tubes with this domain, and how many ends use it. */
    private static final class PeerWatch
    {
        private final Watch watch;
        private int users;

        PeerWatch(final Watch watch)
        {
            this.watch = watch;
        }
    }

    /** An accept waiting for a knock. */
    private record AcceptRequest(int peer, AcceptOptions options, CompletableFuture<Tube> result)
    {
        boolean matches(final TubePaths knock)
        {
            return !result.isDone() && (peer < 0 || peer == knock.nock());
        }
    }

    private Engine(final XenStore xs, final XenDriver driver, final String name, final TubeEvents events,
        final AcceptPolicy policy)
    {
        this.xs = xs;
        this.driver = driver;
        this.events = events == null ? NO_EVENTS : events;
        this.policy = policy;
        this.domid = driver.domid();
        this.name = name;
        this.knocks = TubePaths.knocks(domid);
        this.thread = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "tubes-handshake-" + domid);
            t.setDaemon(true);
            return t;
        });
    }

    /** See {@link io.tubes.handshake.TubeEngines#start}. */
    public static Engine start(final XenStore xs, final XenDriver driver, final TubeEvents events,
        final AcceptPolicy policy) throws TubeException
    {
        final int self = driver.domid();
        final String name;
        try
        {
            name = ownName(xs, self);
        }
        catch (final XenStoreException e)
        {
            throw new TubeException("cannot read this domain's name: " + e.getMessage(), e);
        }
        final Engine engine = new Engine(xs, driver, name, events, policy);
        try
        {
            synchronized (engine)
            {
                engine.recover();
                xs.mkdir(XsPaths.domainPath(self) + "/data/nock");
                xs.mkdir(engine.knocks);
                // Anyone may knock (write); nobody but this domain may list the knocks (read).
                xs.setPermissions(engine.knocks, List.of(new Permission(self, Permission.Access.WRITE)));
                engine.knockWatch = xs.watch(engine.knocks, engine::knockChanged);
            }
        }
        catch (final XenStoreException e)
        {
            engine.thread.shutdownNow();
            throw new TubeException(refused("cannot open " + engine.knocks + " to knocks", e), e);
        }
        LOG.log(Level.INFO, "domain {0} ({1}) takes knocks at {2}", new Object[] {self, name, engine.knocks});
        return engine;
    }

    private static String ownName(final XenStore xs, final int self) throws XenStoreException
    {
        final Optional<String> own = xs.tryRead(XsPaths.domainPath(self) + "/name");
        return own.filter(Engine::isName).orElseGet(() -> Integer.toString(self));
    }

    /** Removes the nodes an earlier run of this domain left: its nock directories, its knocks, its tip ends. */
    private void recover() throws XenStoreException
    {
        final String nocks = XsPaths.domainPath(domid) + "/data/nock";
        for (final String peer : children(nocks))
        {
            for (final String index : children(nocks + "/" + peer))
            {
                final TubePaths old = TubePaths.ofNockDir(nocks + "/" + peer + "/" + index);
                if (old != null)
                {
                    removeQuietly(old.tipDir());
                    LOG.log(Level.INFO, "removed tube {0} of an earlier run (nock)", old.nockDir());
                }
            }
            removeEmptyPeerDirs(numberOr(peer), TubeRole.NOCK);
        }
        removeQuietly(nocks);
        for (final String peer : children(knocks))
        {
            for (final String index : children(knocks + "/" + peer))
            {
                final String dir = knocks + "/" + peer + "/" + index;
                if (xs.tryRead(dir + "/" + TubePaths.STATE).isPresent())
                {
                    removeQuietly(dir);
                    LOG.log(Level.INFO, "removed tube {0} of an earlier run (tip)", dir);
                }
            }
        }
    }

    private List<String> children(final String path) throws XenStoreException
    {
        try
        {
            return xs.directory(path);
        }
        catch (final XenStoreException e)
        {
            if (e.is(XenStoreError.ENOENT) || e.is(XenStoreError.EACCES))
            {
                return List.of();
            }
            throw e;
        }
    }

    private void removeQuietly(final String path)
    {
        try
        {
            xs.rm(path);
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.FINE, "removing {0}: {1}", new Object[] {path, e.getMessage()});
        }
    }

    /**
     * Removes the directories that hold the tubes with {@code peer} when none is left in them: as
     * the nock, its {@code data/nock/PEER} and its knock directory in the peer's tree; as the tip, the
     * peer's knock directory in its own. A knock that lands meanwhile makes the transaction conflict.
     */
    void removeEmptyPeerDirs(final int peer, final TubeRole role)
    {
        if (peer < 0)
        {
            return;
        }
        final List<String> dirs = role == TubeRole.NOCK
            ? List.of(XsPaths.domainPath(domid) + "/data/nock/" + peer, TubePaths.knocks(peer) + "/" + domid)
            : List.of(knocks + "/" + peer);
        for (final String dir : dirs)
        {
            try
            {
                xs.transaction(t ->
                {
                    if (t.directory(dir).isEmpty())
                    {
                        t.rm(dir);
                    }
                    return null;
                });
            }
            catch (final XenStoreException e)
            {
                LOG.log(Level.FINE, "removing {0}: {1}", new Object[] {dir, e.getMessage()});
            }
        }
    }

    // ---- knocks

    private void knockChanged(final String path)
    {
        run(() ->
        {
            final String[] parts = path.startsWith(knocks + "/") ? path.substring(knocks.length() + 1).split("/")
                : new String[0];
            if (parts.length < 2)
            {
                scanKnocks();
                return;
            }
            final int peer = numberOr(parts[0]);
            final int index = numberOr(parts[1]);
            if (peer >= 0 && index >= 0)
            {
                knockChanged(new TubePaths(peer, domid, index));
            }
        });
    }

    private void scanKnocks() throws InterruptedException
    {
        try
        {
            for (final String peer : children(knocks))
            {
                for (final String index : children(knocks + "/" + peer))
                {
                    final TubePaths paths = TubePaths.ofTipDir(knocks + "/" + peer + "/" + index);
                    if (paths != null)
                    {
                        knockChanged(paths);
                    }
                }
            }
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.WARNING, "cannot list the knocks at {0}: {1}", new Object[] {knocks, e.getMessage()});
        }
    }

    /** Something changed in the tip directory of {@code paths}: an end's step, or a knock to check. */
    private void knockChanged(final TubePaths paths) throws InterruptedException
    {
        final TubeEnd end = ends.get(new Key(TubeRole.TIP, paths));
        if (end != null)
        {
            end.changed();
            return;
        }
        final String problem;
        try
        {
            problem = knockProblem(paths);
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.FINE, "reading the knock at {0}: {1}", new Object[] {paths.tipDir(), e.getMessage()});
            return;
        }
        waiting.remove(paths);
        if (problem == null)
        {
            if (accepts.stream().anyMatch(request -> request.matches(paths)) || !policy.acceptsAny())
            {
                if (waiting.size() >= MAX_WAITING)
                {
                    refuse(paths, name + " refused the tube: " + MAX_WAITING + " knocks wait for an accept already");
                    return;
                }
                waiting.add(paths);
                matchAccepts();
            }
            else
            {
                acceptByPolicy(paths);
            }
        }
        else if (problem.isEmpty())
        {
            refused.remove(paths);
        }
        else if (!refused.contains(paths))
        {
            LOG.log(Level.WARNING, "ignoring the knock at {0}: {1}", new Object[] {paths.tipDir(), problem});
        }
    }

    /** Accepts a knock that no accept call waits for, if the accept policy takes it; else refuses it. */
    private void acceptByPolicy(final TubePaths paths) throws InterruptedException
    {
        final AcceptPolicy taking = policy;
        final TubeMode mode = knockMode(paths);
        if (mode == null)
        {
            return;
        }
        int fromPeer = 0;
        int accepted = 0;
        for (final TubeEnd end : ends.values())
        {
            if (end.role == TubeRole.TIP && !end.isClosed())
            {
                accepted++;
                fromPeer += end.peer() == paths.nock() ? 1 : 0;
            }
        }
        final String refusal = taking.refusal(name, paths.nock(), nameOf(paths.nock()), mode, fromPeer, accepted);
        if (refusal != null)
        {
            refuse(paths, refusal);
            return;
        }
        final AcceptOptions options = AcceptOptions.any().withRingSize(taking.ringSize());
        startTip(paths, mode, options);
    }

    /** The mode a knock asks for; null when it cannot be read, and the knock was refused for it. */
    private TubeMode knockMode(final TubePaths paths)
    {
        try
        {
            return TubeMode.ofNode(xs.tryRead(paths.nockDir() + "/" + TubePaths.MODE).orElse(null));
        }
        catch (final XenStoreException | IllegalArgumentException e)
        {
            refuse(paths, "its mode cannot be read: " + e.getMessage());
            return null;
        }
    }

    /**
     * What is wrong with the knock at {@code paths}: null when it is a knock to accept, "" when it is
     * not there (yet, or any more), else what makes it not a tube. A knock is the nock's when the
     * nock's own directory, which only the nock may write, names this one: a third domain can write a
     * knock that claims to be another's, not that.
     */
    private String knockProblem(final TubePaths paths) throws XenStoreException
    {
        final Optional<String> nock = xs.tryRead(paths.tipDir() + "/" + TubeRole.NOCK.node());
        if (nock.isEmpty())
        {
            return "";
        }
        if (!nock.get().equals(paths.nockDir()))
        {
            return "its nock node names " + printable(nock.get()) + ", not " + paths.nockDir();
        }
        final Optional<String> back = readIfThere(xs, paths.nockDir() + "/" + TubeRole.TIP.node());
        if (back.isEmpty() || !back.get().equals(paths.tipDir()))
        {
            return "domain " + paths.nock() + "'s " + paths.nockDir() + " does not name it: not that domain's knock";
        }
        if (xs.tryRead(paths.tipDir() + "/" + TubePaths.STATE).isPresent())
        {
            return "it has a state already, and no end of this run answered it";
        }
        return null;
    }

    /**
     * A node's value, or empty when it is missing or may not be read. A node under a directory this
     * domain may not read reads as EACCES when it is missing: so do a peer's nodes once the toolstack
     * removed its domain.
     */
    static Optional<String> readIfThere(final XenStore xs, final String path) throws XenStoreException
    {
        try
        {
            return xs.tryRead(path);
        }
        catch (final XenStoreException e)
        {
            if (e.is(XenStoreError.EACCES))
            {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Sets a node's permissions if this domain owns it. Which end owns a knock's nodes depends on the
     * xenstored (see {@code NockEnd.knock}); the owner makes them the pair's, the other end leaves them.
     */
    static void setIfOwner(final XenStoreOperations t, final String path, final List<Permission> permissions)
        throws XenStoreException
    {
        try
        {
            t.setPermissions(path, permissions);
        }
        catch (final XenStoreException e)
        {
            if (!e.is(XenStoreError.EACCES))
            {
                throw e;
            }
        }
    }

    /** Starts an accepted tube for each accept that a waiting knock matches. */
    private void matchAccepts() throws InterruptedException
    {
        final Iterator<AcceptRequest> requests = accepts.iterator();
        while (requests.hasNext())
        {
            final AcceptRequest request = requests.next();
            if (request.result.isDone())
            {
                requests.remove();
                continue;
            }
            final Optional<TubePaths> knock = waiting.stream().filter(request::matches).findFirst();
            if (knock.isEmpty())
            {
                continue;
            }
            waiting.remove(knock.get());
            requests.remove();
            accept(knock.get(), request);
            return; // the queues changed: look again from the start
        }
    }

    private void accept(final TubePaths paths, final AcceptRequest request) throws InterruptedException
    {
        final TubeMode mode = knockMode(paths);
        if (mode == null)
        {
            accepts.addFirst(request);
            matchAccepts();
            return;
        }
        final TipEnd end = startTip(paths, mode, request.options);
        end.connected.whenComplete((tube, failure) ->
        {
            if (failure == null)
            {
                request.result.complete(tube);
            }
            else
            {
                later(() -> retry(request)); // another knock may come within the accept's time
            }
        });
    }

    private TipEnd startTip(final TubePaths paths, final TubeMode mode, final AcceptOptions options)
        throws InterruptedException
    {
        final TipEnd end = new TipEnd(this, paths, tubeId(paths), mode, options);
        ends.put(new Key(TubeRole.TIP, paths), end);
        try
        {
            end.start();
        }
        catch (final TubeException e)
        {
            LOG.log(Level.WARNING, "accepting {0}: {1}", new Object[] {end.id, e.getMessage()});
        }
        return end;
    }

    private void retry(final AcceptRequest request) throws InterruptedException
    {
        if (!request.result.isDone())
        {
            accepts.addFirst(request);
            matchAccepts();
        }
    }

    /**
     * Refuses a knock: writes why in the tip's error node (the nock reads it), then Closed. Past
     * {@link AcceptPolicy#MAX_REFUSED} refused knocks still there, the knock is removed without a word: the nock
     * then fails at its open timeout, and a flood costs this domain no quota.
     */
    private void refuse(final TubePaths paths, final String why)
    {
        LOG.log(Level.WARNING, "refusing the knock at {0}: {1}", new Object[] {paths.tipDir(), why});
        if (refused.size() >= MAX_REFUSED)
        {
            removeQuietly(paths.tipDir());
            return;
        }
        refused.add(paths);
        try
        {
            final List<Permission> mine = List.of(new Permission(domid, Permission.Access.NONE),
                new Permission(paths.nock(), Permission.Access.READ));
            xs.transaction(t ->
            {
                if (t.exists(paths.tipDir() + "/" + TubeRole.NOCK.node()))
                {
                    t.write(paths.tipDir() + "/" + TubePaths.ERROR, why);
                    setIfOwner(t, paths.tipDir() + "/" + TubePaths.ERROR, mine);
                    t.write(paths.tipDir() + "/" + TubePaths.STATE, TubeState.CLOSED.node());
                    setIfOwner(t, paths.tipDir() + "/" + TubePaths.STATE, mine);
                }
                return null;
            });
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.WARNING, "cannot refuse the knock at {0}: {1}",
                new Object[] {paths.tipDir(), e.getMessage()});
        }
    }

    // ---- peers

    /** Watches the peer's directory of tubes with this domain in the end's role, once per peer and role. */
    void watchPeer(final TubeEnd end) throws TubeException
    {
        if (end.watching)
        {
            return;
        }
        final String dir = peerTubes(end.role, end.peer());
        PeerWatch watch = peerWatches.get(dir);
        if (watch == null)
        {
            try
            {
                watch = new PeerWatch(xs.watch(dir, path -> peerChanged(end.role, end.peer(), dir, path)));
            }
            catch (final XenStoreException e)
            {
                throw new TubeException(refused("cannot watch " + dir, e), e);
            }
            peerWatches.put(dir, watch);
        }
        watch.users++;
        end.watching = true;
    }

    private void unwatchPeer(final TubeEnd end)
    {
        if (!end.watching)
        {
            return;
        }
        end.watching = false;
        final String dir = peerTubes(end.role, end.peer());
        final PeerWatch watch = peerWatches.get(dir);
        if (watch != null && --watch.users == 0)
        {
            peerWatches.remove(dir);
            watch.watch.close();
        }
    }

    /** Where the peer keeps its end of every tube with this domain: the tip's knock directory, or the nock's. */
    private String peerTubes(final TubeRole role, final int peer)
    {
        return role == TubeRole.NOCK ? TubePaths.knocks(peer) + "/" + domid
            : XsPaths.domainPath(peer) + "/data/nock/" + domid;
    }

    private void peerChanged(final TubeRole role, final int peer, final String dir, final String path)
    {
        run(() ->
        {
            final String rest = path.startsWith(dir + "/") ? path.substring(dir.length() + 1) : "";
            final int slash = rest.indexOf('/');
            final int index = numberOr(slash < 0 ? rest : rest.substring(0, slash));
            for (final TubeEnd end : List.copyOf(ends.values()))
            {
                if (end.role == role && end.peer() == peer && (index < 0 || end.index() == index))
                {
                    end.changed();
                }
            }
        });
    }

    // ---- tubes

    @Override
    public Tube open(final TubeOptions options) throws TubeException, InterruptedException
    {
        final int peer = awaitDomain(options.peer(), options.openTimeout());
        if (peer == domid)
        {
            throw new TubeException("a tube links two domains: " + options.peer() + " is this domain");
        }
        final NockEnd end;
        synchronized (this)
        {
            checkOpen();
            final int index = options.index() == TubeOptions.ANY_INDEX ? freeIndex(peer) : options.index();
            final TubePaths paths = new TubePaths(domid, peer, index);
            end = new NockEnd(this, paths, tubeId(paths), options);
            ends.put(new Key(TubeRole.NOCK, paths), end);
            end.start();
        }
        try
        {
            return await(end.connected, options.openTimeout().plusSeconds(5), "opening " + end.id);
        }
        catch (final InterruptedException e)
        {
            // Nobody waits for this tube any more: it must not connect without an owner.
            run(() ->
            {
                if (end.connected.isDone())
                {
                    end.closeByUser();
                }
                else
                {
                    end.free("opening " + end.id + " was interrupted");
                }
            });
            throw e;
        }
    }

    /** The lowest index towards {@code peer} that neither this run nor an earlier one uses. */
    private int freeIndex(final int peer) throws TubeException
    {
        try
        {
            final List<String> used = children(XsPaths.domainPath(domid) + "/data/nock/" + peer);
            for (int index = 0; ; index++)
            {
                if (!used.contains(Integer.toString(index)))
                {
                    return index;
                }
            }
        }
        catch (final XenStoreException e)
        {
            throw new TubeException(refused("cannot list this domain's tubes to domain " + peer, e), e);
        }
    }

    @Override
    public Tube accept(final AcceptOptions options) throws TubeException, InterruptedException
    {
        final int peer = options.peer() == null ? -1 : awaitDomain(options.peer(), options.timeout());
        final AcceptRequest request = new AcceptRequest(peer, options, new CompletableFuture<>());
        synchronized (this)
        {
            checkOpen();
            accepts.add(request);
            matchAccepts();
        }
        try
        {
            return await(request.result, options.timeout(), "accepting a tube");
        }
        catch (final TubeException e)
        {
            synchronized (this)
            {
                request.result.cancel(false);
                accepts.remove(request);
            }
            throw new TubeException("no tube " + (peer < 0 ? "" : "from " + options.peer() + " ") + "connected to "
                + name + " within " + options.timeout().toMillis() + " ms (" + waiting.size()
                + " knock(s) waiting that match no accept)", e);
        }
    }

    private static Tube await(final CompletableFuture<Tube> result, final Duration timeout, final String what)
        throws TubeException, InterruptedException
    {
        try
        {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException e)
        {
            throw new TubeException(e.getCause().getMessage(), e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw new TubeException(what + " timed out after " + timeout.toMillis() + " ms", e);
        }
    }

    private void checkOpen() throws TubeException
    {
        if (closed)
        {
            throw new TubeException("the tube service of domain " + domid + " is closed");
        }
    }

    /** The end freed everything: it is no longer this engine's. */
    void forget(final TubeEnd end)
    {
        ends.remove(new Key(end.role, end.paths));
        unwatchPeer(end);
    }

    @Override
    public synchronized List<Tube> tubes()
    {
        final List<Tube> tubes = new ArrayList<>();
        for (final TubeEnd end : ends.values())
        {
            if (end.connected.isDone() && !end.connected.isCompletedExceptionally())
            {
                tubes.add(end);
            }
        }
        return tubes;
    }

    @Override
    public void acceptPolicy(final AcceptPolicy next)
    {
        policy = next;
        LOG.log(Level.INFO, "domain {0} accepts knocks from {1}", new Object[] {name,
            next.acceptsAny() ? next.peers() : "nobody by itself (each waits for an accept call)"});
        later(() ->
        {
            if (next.acceptsAny())
            {
                for (final TubePaths knock : List.copyOf(waiting))
                {
                    if (accepts.stream().noneMatch(request -> request.matches(knock)))
                    {
                        waiting.remove(knock);
                        acceptByPolicy(knock);
                    }
                }
            }
        });
    }

    @Override
    public int domid()
    {
        return domid;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void close()
    {
        final List<TubeEnd> open;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            open = List.copyOf(ends.values());
            for (final AcceptRequest request : accepts)
            {
                request.result.completeExceptionally(new TubeException("the tube service of domain " + domid
                    + " closed"));
            }
            accepts.clear();
        }
        for (final TubeEnd end : open)
        {
            if (end.connected.isDone())
            {
                end.close();
            }
            else
            {
                run(() -> end.free("the tube service of domain " + domid + " closed"));
            }
        }
        synchronized (this)
        {
            if (knockWatch != null)
            {
                knockWatch.close();
            }
            peerWatches.values().forEach(w -> w.watch.close());
            peerWatches.clear();
        }
        thread.shutdown();
    }

    // ---- running steps

    /**
     * Runs one step under the lock, then the steps it left for after it (see {@link #afterStep}); a
     * step's failure is logged, never lost. A step may run another inside it (a listener closing a
     * tube): the inner one's after-steps join the outer one's queue.
     */
    void run(final TubeEnd.Step step)
    {
        synchronized (this)
        {
            if (closed && ends.isEmpty())
            {
                return; // a late event or timer of a closed engine: nothing is left to act on
            }
            depth++;
            try
            {
                runLogged(step);
                while (depth == 1 && !afterStep.isEmpty())
                {
                    runLogged(afterStep.poll());
                }
            }
            finally
            {
                depth--;
            }
        }
    }

    private static void runLogged(final TubeEnd.Step step)
    {
        try
        {
            step.run();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException e)
        {
            LOG.log(Level.SEVERE, "a handshake step failed", e);
        }
    }

    /**
     * Runs {@code step} once the current step is done, in the order asked, still under the lock: a
     * tube's events reach the listener between steps, never in the middle of one, and a free waits
     * for the event before it. Outside a step (a user's call that holds the lock), it runs now.
     */
    void afterStep(final TubeEnd.Step step) throws InterruptedException
    {
        if (depth == 0)
        {
            step.run();
        }
        else
        {
            afterStep.add(step);
        }
    }

    /** Tells the listener that {@code end} connected, once the step is done. */
    void announceConnected(final TubeEnd end) throws InterruptedException
    {
        afterStep(() -> tell(end, null));
    }

    /** Tells the listener that {@code end} left Connected, once the step is done. */
    void announceDisconnected(final TubeEnd end, final String reason) throws InterruptedException
    {
        afterStep(() -> tell(end, reason));
    }

    private void tell(final TubeEnd end, final String disconnected)
    {
        try
        {
            if (disconnected == null)
            {
                events.connected(end);
            }
            else
            {
                events.disconnected(end, disconnected);
            }
        }
        catch (final RuntimeException e)
        {
            LOG.log(Level.SEVERE, "the listener of tube " + end.id + " failed", e);
        }
    }

    /** Runs a step on the engine's thread, soon. */
    void later(final TubeEnd.Step step)
    {
        if (!thread.isShutdown())
        {
            thread.execute(() -> run(step));
        }
    }

    /** Runs a step on the engine's thread after {@code after}. */
    ScheduledFuture<?> schedule(final Duration after, final TubeEnd.Step step)
    {
        return thread.schedule(() -> run(step), after.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- names

    private TubeId tubeId(final TubePaths paths)
    {
        return new TubeId(nameOf(paths.nock()), nameOf(paths.tip()), paths.index());
    }

    /**
     * A domain's name as the toolstack tells it, or its id as text where it does not. Names are
     * kept: a domain's name does not change while it lives, and Xen reuses ids only after their
     * 16-bit counter wraps.
     */
    String nameOf(final int id)
    {
        if (id == domid)
        {
            return name;
        }
        final String kept = names.get(id);
        if (kept != null)
        {
            return kept;
        }
        try
        {
            final String known = driver.domainNames().get(id);
            final Optional<String> named = known != null ? Optional.of(known) : nameIn(id);
            if (named.isPresent() && isName(named.get()))
            {
                names.put(id, named.get());
                return named.get();
            }
        }
        catch (final DriverException e)
        {
            LOG.log(Level.FINE, "the name of domain {0}: {1}", new Object[] {id, e.getMessage()});
        }
        return Integer.toString(id);
    }

    /** Domain {@code id}'s {@code name} node, or empty when it cannot be read. */
    private Optional<String> nameIn(final int id)
    {
        try
        {
            return xs.tryRead(XsPaths.domainPath(id) + "/name");
        }
        catch (final XenStoreException e)
        {
            LOG.log(Level.FINE, "the name of domain {0}: {1}", new Object[] {id, e.getMessage()});
            return Optional.empty();
        }
    }

    /** The domain {@code id} is gone: its id may name another domain one day. */
    void forgetName(final int id)
    {
        names.remove(id);
    }

    /** The domain named {@code peer}, waiting up to {@code timeout} for a domain of that name to appear. */
    private int awaitDomain(final String peer, final Duration timeout) throws TubeException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final int domid = domidOf(peer);
            if (domid >= 0)
            {
                return domid;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new TubeException("no domain named '" + peer + "' is known to " + driver.description()
                    + " (waited " + timeout.toMillis() + " ms); give its domain id instead, or start it first");
            }
            Thread.sleep(50);
        }
    }

    /** The domain a user named, by id or by name; -1 for a name no domain has (yet). */
    int domidOf(final String peer) throws TubeException
    {
        if (!peer.isEmpty() && peer.length() <= 5 && peer.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            return Integer.parseInt(peer);
        }
        try
        {
            for (final Map.Entry<Integer, String> known : driver.domainNames().entrySet())
            {
                if (known.getValue().equals(peer))
                {
                    return known.getKey();
                }
            }
            // Where the toolstack tells nothing (dom0 on Xen): the names in XenStore. A domain whose name
            // cannot be read, or is not a domain id, is not the one asked for; this domain is never a peer.
            for (final String id : children("/local/domain"))
            {
                final int other = numberOr(id);
                if (other >= 0 && other != domid && nameIn(other).filter(peer::equals).isPresent())
                {
                    return other;
                }
            }
        }
        catch (final DriverException | XenStoreException e)
        {
            throw new TubeException("cannot look up domain '" + peer + "': " + e.getMessage(), e);
        }
        return -1;
    }

    private static boolean isName(final String text)
    {
        try
        {
            new TubeId(text, text, 0);
            return true;
        }
        catch (final IllegalArgumentException e)
        {
            return false;
        }
    }

    // ---- small helpers

    /** A decimal number without sign or leading zeros, or -1. */
    static int numberOr(final String digits)
    {
        final TubePaths parsed = TubePaths.ofTipDir("/local/domain/0/data/tip/0/" + digits);
        return parsed == null ? -1 : parsed.index();
    }

    /** A number a peer wrote in {@code node}. */
    static int number(final Optional<String> value, final String node) throws TubeException
    {
        final int parsed = value.map(Engine::numberOr).orElse(-1);
        if (parsed < 0)
        {
            throw new TubeException(node + " is " + value.map(v -> "'" + printable(v) + "'").orElse("missing")
                + ", not a number");
        }
        return parsed;
    }

    /** XenStore's refusal, with what it means for a user: a quota names the quota. */
    static String refused(final String what, final XenStoreException e)
    {
        if (e.is(XenStoreError.ENOSPC) || e.is(XenStoreError.E2BIG))
        {
            return what + ": XenStore's quota for this domain is reached (" + e.getMessage() + "); by default a domain"
                + " may own 1000 nodes and set 128 watches. Close tubes, or raise the quota (xenstored -Q)";
        }
        return what + ": " + e.getMessage();
    }

    /** At most 64 characters of a peer's text, anything unprintable shown as '?'. */
    static String printable(final String text)
    {
        final StringBuilder shown = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> shown.append(c >= 0x20 && c < 0x7F ? (char) c : '?'));
        return text.length() > 64 ? shown + "..." : shown.toString();
    }
}
