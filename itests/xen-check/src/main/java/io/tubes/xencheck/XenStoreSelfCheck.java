package io.tubes.xencheck;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.Permission.Access;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreTransaction;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * What Tubes assumes of xenstored, as checks that run against any xenstored: ours in the unit tests,
 * Xen's own in the real-Xen harness, so that where the two disagree we learn which assumption is
 * wrong. {@code dom0 PEER} runs the privileged checks and prepares nodes for domain PEER;
 * {@code guest} (in PEER) runs the unprivileged ones, including what it may and may not do with
 * dom0's nodes. Each check prints {@code TUBES-XS PASS name} or {@code TUBES-XS FAIL name: why};
 * the exit status is the number of failures.
 */
public final class XenStoreSelfCheck
{
    /** Dom0's nodes for the guest: one it may read, one it may not, one it may write in, then a marker. */
    static final String DOM0_DIR = "/local/domain/0/tubes-check";

    private final XenStore xs;
    private final String base;
    private final PrintStream out;
    private int failures;

    @FunctionalInterface
    private interface Check
    {
        void run() throws Exception;
    }

    XenStoreSelfCheck(final XenStore xs, final String base, final PrintStream out)
    {
        this.xs = xs;
        this.base = base;
        this.out = out;
    }

    public static void main(final String[] args) throws Exception
    {
        final boolean dom0 = args.length == 2 && "dom0".equals(args[0]);
        if (!dom0 && !(args.length == 1 && "guest".equals(args[0])))
        {
            System.err.println("usage: XenStoreSelfCheck dom0 PEER | guest   (xenstored as XenStoreConnection finds it)");
            System.exit(2);
        }
        final int failures;
        try (XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.resolve("", null, System.getenv())))
        {
            System.out.println("TUBES-XS xenstored at " + xs.address());
            failures = dom0 ? runAsDom0(xs, Integer.parseInt(args[1]), System.out) : runAsGuest(xs, System.out);
        }
        System.out.println("TUBES-XS " + (failures == 0 ? "PASS all" : "FAIL " + failures + " checks"));
        System.exit(failures);
    }

    /** The privileged checks, then dom0's nodes for {@code peer}; returns the number of failures. */
    static int runAsDom0(final XenStore xs, final int peer, final PrintStream out) throws XenStoreException
    {
        xs.rm(DOM0_DIR);
        xs.rm("/tubes-check");
        final XenStoreSelfCheck checks = new XenStoreSelfCheck(xs, "/tubes-check/xs", out);
        checks.common(0, peer);
        checks.check("dom0 knows which domains are introduced", () ->
        {
            expect(xs.isDomainIntroduced(0), "dom0 is introduced");
            expect(xs.isDomainIntroduced(peer), "domain " + peer + " is introduced");
            expect(!xs.isDomainIntroduced(peer + 1000), "domain " + (peer + 1000) + " is not");
        });
        checks.check("dom0 may watch @releaseDomain, which fires once when set", () ->
        {
            try (Events events = checks.new Events("@releaseDomain"))
            {
                events.expect("@releaseDomain");
            }
        });
        checks.check("nodes for the guest", () ->
        {
            xs.write(DOM0_DIR + "/shared", "for " + peer);
            xs.setPermissions(DOM0_DIR + "/shared", List.of(new Permission(0, Access.NONE), new Permission(peer, Access.READ)));
            xs.write(DOM0_DIR + "/private", "dom0 only");
            xs.mkdir(DOM0_DIR + "/open");
            xs.setPermissions(DOM0_DIR + "/open", List.of(new Permission(0, Access.NONE), new Permission(peer, Access.BOTH)));
            xs.write(DOM0_DIR + "/ready", "1");
            xs.setPermissions(DOM0_DIR + "/ready", List.of(new Permission(0, Access.NONE), new Permission(peer, Access.READ)));
        });
        return checks.failures;
    }

    /** The unprivileged checks, in the guest's home and against dom0's nodes; returns the number of failures. */
    static int runAsGuest(final XenStore xs, final PrintStream out) throws XenStoreException, InterruptedException
    {
        final int self = Integer.parseInt(xs.readString("domid"));
        final String home = "/local/domain/" + self;
        // data/ is where a guest may write on Xen (the toolstack makes it so); the rest of its home is dom0's.
        xs.mkdir(home + "/data");
        xs.rm(home + "/data/tubes-xs");
        final XenStoreSelfCheck checks = new XenStoreSelfCheck(xs, home + "/data/tubes-xs", out);
        checks.common(self, 0);
        checks.check("relative paths are in the domain's home", () ->
        {
            xs.write("data/tubes-xs/relative", "here");
            expect("here".equals(xs.readString(home + "/data/tubes-xs/relative")), "written relative, read absolute");
        });
        checks.check("a guest cannot write outside its home", () ->
            expectError(XenStoreError.EACCES, () -> xs.write("/tubes-check/from-guest", "no")));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!readable(xs, DOM0_DIR + "/ready"))
        {
            if (System.nanoTime() > deadline)
            {
                checks.fail("dom0's nodes", "dom0 did not prepare " + DOM0_DIR + " within 120 s");
                return checks.failures;
            }
            Thread.sleep(50);
        }
        checks.check("a node shared for reading can be read", () ->
            expect(("for " + self).equals(xs.readString(DOM0_DIR + "/shared")), "read dom0's shared node"));
        checks.check("a node shared for reading cannot be written", () ->
            expectError(XenStoreError.EACCES, () -> xs.write(DOM0_DIR + "/shared", "overwritten")));
        checks.check("a node shared for reading keeps its permissions from its reader", () ->
            expectError(XenStoreError.EACCES, () -> xs.setPermissions(DOM0_DIR + "/shared",
                List.of(new Permission(self, Access.NONE)))));
        checks.check("dom0's private node can be neither read nor listed", () ->
        {
            expectError(XenStoreError.EACCES, () -> xs.read(DOM0_DIR + "/private"));
            expectError(XenStoreError.EACCES, () -> xs.directory(DOM0_DIR + "/private"));
        });
        checks.check("a node a guest creates where it may write stays the guest's to read and write", () ->
        {
            xs.write(DOM0_DIR + "/open/mine", "guest's");
            xs.write(DOM0_DIR + "/open/mine", "still the guest's");
            expect("still the guest's".equals(xs.readString(DOM0_DIR + "/open/mine")), "read back");
            // Xen's two daemons disagree here, so Tubes relies on neither: C xenstored makes the creating
            // domain the owner, oxenstored (Debian's default) keeps the parent's owner.
            out.println("TUBES-XS NOTE the owner of a node domain " + self + " created in dom0's writable node is domain "
                + xs.getPermissions(DOM0_DIR + "/open/mine").get(0).domid());
        });
        checks.check("any domain's home path is known", () ->
            expect("/local/domain/0".equals(xs.getDomainPath(0)), "getDomainPath(0)"));
        return checks.failures;
    }

    private static boolean readable(final XenStore xs, final String path) throws XenStoreException
    {
        try
        {
            return xs.exists(path);
        }
        catch (final XenStoreException e)
        {
            if (e.is(XenStoreError.EACCES))
            {
                return false;
            }
            throw e;
        }
    }

    /**
     * Checks that hold for every caller, under {@link #base}, which the caller {@code self} may write;
     * {@code other} is another domain that exists (Xen ignores permissions naming domains that do not).
     */
    private void common(final int self, final int other)
    {
        check("any bytes are written and read back", () ->
        {
            final byte[] all = new byte[256];
            for (int i = 0; i < all.length; i++)
            {
                all[i] = (byte) i;
            }
            xs.write(base + "/bytes", all);
            expect(Arrays.equals(all, xs.read(base + "/bytes")), "the 256 byte values, NUL included, came back");
        });
        check("parents are created implicitly, empty", () ->
        {
            xs.write(base + "/p/q/r", "x");
            expect(List.of("q").equals(xs.directory(base + "/p")), "directory of the parent lists q");
            expect(xs.read(base + "/p/q").length == 0, "the implicit parent is empty");
        });
        check("a node is created with its parent's permissions", () ->
        {
            final List<Permission> perms = List.of(new Permission(self, Access.NONE), new Permission(other, Access.READ));
            xs.mkdir(base + "/perm");
            xs.setPermissions(base + "/perm", perms);
            xs.write(base + "/perm/child", "x");
            expect(perms.equals(xs.getPermissions(base + "/perm/child")), "the child's permissions are " + perms
                + ", not " + xs.getPermissions(base + "/perm/child"));
        });
        check("reading a missing node is ENOENT", () -> expectError(XenStoreError.ENOENT, () -> xs.read(base + "/missing")));
        check("an invalid path is EINVAL", () ->
        {
            expectError(XenStoreError.EINVAL, () -> xs.write(base + "/bad name", "x"));
            expectError(XenStoreError.EINVAL, () -> xs.write(base + "/trailing/", "x"));
            expectError(XenStoreError.EINVAL, () -> xs.read(base + "//double"));
        });
        check("rm removes a whole subtree", () ->
        {
            xs.write(base + "/rm/a/b", "x");
            xs.rm(base + "/rm");
            expect(!xs.exists(base + "/rm/a/b") && !xs.exists(base + "/rm"), "the node and all below it are gone");
        });
        check("rm of a missing node is fine when its parent exists, ENOENT when not", () ->
        {
            xs.rm(base + "/never-written");
            expectError(XenStoreError.ENOENT, () -> xs.rm(base + "/never/written"));
        });
        check("mkdir of an existing node keeps its value", () ->
        {
            xs.write(base + "/m", "kept");
            xs.mkdir(base + "/m");
            expect("kept".equals(xs.readString(base + "/m")), "the value is kept");
        });
        check("a watch fires once when set, then for changes at or below its path only", () ->
        {
            try (Events events = new Events(base + "/w"))
            {
                events.expect(base + "/w");
                xs.write(base + "/w/x", "1");
                events.expect(base + "/w/x");
                xs.write(base + "/wx", "not below");
                xs.write(base + "/w", "2");
                events.expect(base + "/w");
            }
        });
        check("a watch on a missing node fires when set", () ->
        {
            try (Events events = new Events(base + "/not-yet"))
            {
                events.expect(base + "/not-yet");
            }
        });
        check("rm fires the watch of the removed node", () ->
        {
            xs.write(base + "/gone/child", "x");
            try (Events events = new Events(base + "/gone"))
            {
                events.expect(base + "/gone");
                xs.rm(base + "/gone");
                events.expect(base + "/gone");
            }
        });
        check("a transaction sees its own writes, others only after commit", () ->
        {
            final XenStoreTransaction t = xs.startTransaction();
            t.write(base + "/t/isolated", "inside");
            expect("inside".equals(t.readString(base + "/t/isolated")), "the transaction reads its write");
            expect(!xs.exists(base + "/t/isolated"), "outside, the write is not seen before commit");
            xs.endTransaction(t, true);
            expect("inside".equals(xs.readString(base + "/t/isolated")), "outside, it is seen after commit");
        });
        check("a commit that conflicts with a change it read is EAGAIN, and nothing of it lands", () ->
        {
            xs.write(base + "/t/counter", "0");
            final XenStoreTransaction t = xs.startTransaction();
            t.readString(base + "/t/counter");
            xs.write(base + "/t/counter", "outside");
            t.write(base + "/t/counter", "inside");
            t.write(base + "/t/side-effect", "inside");
            expectError(XenStoreError.EAGAIN, () -> xs.endTransaction(t, true));
            expect("outside".equals(xs.readString(base + "/t/counter")), "the outside write stands");
            expect(!xs.exists(base + "/t/side-effect"), "the transaction's other write did not land");
        });
        check("the transaction helper retries after EAGAIN and lands", () ->
        {
            xs.write(base + "/t/retried", "0");
            final AtomicInteger attempts = new AtomicInteger();
            xs.transaction(t ->
            {
                final int seen = Integer.parseInt(t.readString(base + "/t/retried"));
                if (attempts.incrementAndGet() == 1)
                {
                    xs.write(base + "/t/retried", "10");
                }
                t.write(base + "/t/retried", Integer.toString(seen + 1));
                return null;
            });
            expect(attempts.get() == 2, "two attempts, not " + attempts.get());
            expect("11".equals(xs.readString(base + "/t/retried")), "the retry saw the outside write");
        });
        check("a domain's home path is /local/domain/N", () ->
            expect(("/local/domain/" + self).equals(xs.getDomainPath(self)), "getDomainPath(" + self + ")"));
    }

    private void check(final String name, final Check body)
    {
        try
        {
            body.run();
            out.println("TUBES-XS PASS " + name);
        }
        catch (final Exception | AssertionError e)
        {
            fail(name, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void fail(final String name, final String why)
    {
        failures++;
        out.println("TUBES-XS FAIL " + name + ": " + why);
    }

    private static void expect(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new AssertionError("expected: " + what);
        }
    }

    private static void expectError(final XenStoreError error, final Check operation) throws Exception
    {
        try
        {
            operation.run();
        }
        catch (final XenStoreException e)
        {
            if (e.is(error))
            {
                return;
            }
            throw new AssertionError("expected " + error + ", got: " + e.getMessage());
        }
        throw new AssertionError("expected " + error + ", but it succeeded");
    }

    /** The events of one watch, in order. */
    private final class Events implements AutoCloseable
    {
        private final BlockingQueue<String> paths = new LinkedBlockingQueue<>();
        private final Watch watch;

        Events(final String path) throws XenStoreException
        {
            watch = xs.watch(path, paths::add);
        }

        void expect(final String path) throws InterruptedException
        {
            final String next = paths.poll(10, TimeUnit.SECONDS);
            XenStoreSelfCheck.expect(path.equals(next), "the next event of " + watch.path() + " is " + path
                + ", not " + next);
        }

        @Override
        public void close()
        {
            watch.close();
        }
    }
}
