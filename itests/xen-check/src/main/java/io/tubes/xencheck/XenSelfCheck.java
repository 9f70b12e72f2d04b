package io.tubes.xencheck;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.UnmapNotify;
import io.tubes.driver.xen.internal.XenDriverImpl;
import io.tubes.ring.RingFormat;
import io.tubes.ring.RingLayout;
import io.tubes.ring.RingReader;
import io.tubes.ring.RingReceiver;
import io.tubes.ring.RingSender;
import io.tubes.ring.RingWriter;
import io.tubes.ring.Waiting;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * The JNA driver on real Xen, end to end between dom0 ({@code share PEER}) and a domU ({@code map 0}),
 * in four phases:
 * <ol>
 * <li>pages: dom0 grants the domU two pages and a ring, grants one page to a domain that is not the
 * domU, binds an unbound port and publishes all of it in the domU's {@code data/tubes-check}; the
 * domU is refused a ref it was not granted and the page granted to the other domain, maps its pages,
 * checks dom0's bytes, writes its own, and grants dom0 a page of its own, which dom0 maps and checks;</li>
 * <li>round trips over the event channel, with sequence numbers in the shared pages;</li>
 * <li>a ring (tubes-ring) from dom0 to the domU: packets for a few seconds, each checked;</li>
 * <li>release: the domU holds everything while dom0 runs {@code xl destroy}, sees
 * {@code @releaseDomain}, lets go of what it holds for the domU, and the hypervisor then frees the
 * domain (a domain whose pages are still mapped would linger as a zombie).</li>
 * </ol>
 * Each side prints {@code TUBES-CHECK ...} lines, {@code PASS share} or {@code PASS map} at the end,
 * or {@code FAIL} and exits with status 1.
 */
public final class XenSelfCheck
{
    private static final String DIR = "data/tubes-check";
    private static final VarHandle SEQ = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Where the sharer writes its ping number and the mapper its pong: the end of each page, past the checks. */
    private static final int PING = GrantTable.PAGE_SIZE - 8;
    private static final int PONG = 2 * GrantTable.PAGE_SIZE - 8;
    private static final int ROUND_TRIPS = 1000;
    /** 256 KiB of data, LING's size per tube. */
    private static final int RING_DATA_PAGES = 64;
    /** Where the dying peer's ring is offered, below the domU's home. */
    private static final String LIVE = DIR + "-live";
    private static final int RING_MAX_PACKET = 65536;
    private static final int PACKET = 1024;
    private static final long RING_SECONDS = 3;

    private XenSelfCheck()
    {
    }

    public static void main(final String[] args)
    {
        final String role = args[0];
        final int peer = Integer.parseInt(args[1]);
        try (XenDriverImpl driver = XenDriverImpl.start(XenDriverImpl.DEVICES);
             XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(driver.xenstorePath())));
             EventChannels events = driver.openEventChannels())
        {
            say("domain " + driver.domid() + ", xenstore via " + driver.xenstorePath());
            switch (role)
            {
                case "share" ->
                {
                    wakeupAndClose(driver);
                    aPeerProcessThatDies(driver, xs, peer);
                    share(driver.grantTable(), xs, events, peer);
                }
                case "map" -> map(driver.grantTable(), xs, events, peer, driver.domid());
                case "die" -> attachAndDie(driver, xs, peer);
                default -> throw new IllegalArgumentException("no such role: " + role + " (share, map or die)");
            }
        }
        catch (final Exception | AssertionError e)
        {
            say("FAIL " + e);
            System.exit(1);
        }
    }

    private static void share(final GrantTable grants, final XenStore xs, final EventChannels events, final int peer)
        throws Exception
    {
        final String home = "/local/domain/" + peer + "/" + DIR;
        final int port = events.bindUnbound(peer);
        try (SharedPages pages = grants.share(peer, 2, true, null);
             SharedPages ring = grants.share(peer, 1 + RING_DATA_PAGES, true, null);
             SharedPages foreign = grants.share(peer + 1, 1, false, null))
        {
            final byte[] pattern = new byte[GrantTable.PAGE_SIZE];
            new Random(42).nextBytes(pattern);
            pages.buffer().put(0, pattern);
            RingFormat.format(ring.buffer(), RING_DATA_PAGES * RingLayout.PAGE_SIZE, RING_MAX_PACKET,
                RingLayout.MODE_PACKET, ring.refs().subList(1, ring.refs().size()));
            xs.write(home + "/crc", Long.toString(crc(pattern)));
            xs.write(home + "/refs", join(pages.refs()));
            xs.write(home + "/ring-refs", join(ring.refs()));
            xs.write(home + "/foreign-ref", foreign.refs().get(0).toString());
            xs.write(home + "/port", Integer.toString(port)); // last: the peer waits for it
            say("shared refs " + pages.refs() + ", a ring of " + ring.refs().size() + " pages and port " + port
                + " with domain " + peer + "; ref " + foreign.refs() + " with domain " + (peer + 1));
            while (!xs.exists(home + "/reply-crc"))
            {
                expectEvent(events, port, 120, "the peer's first notification");
            }
            final byte[] reply = new byte[GrantTable.PAGE_SIZE];
            pages.buffer().get(GrantTable.PAGE_SIZE, reply);
            check(Long.toString(crc(reply)).equals(xs.readString(home + "/reply-crc")),
                "the peer's bytes in page 2 match its checksum");
            try (MappedPages back = grants.map(peer, List.of(Integer.valueOf(xs.readString(home + "/back-ref"))), false, null))
            {
                final byte[] granted = new byte[GrantTable.PAGE_SIZE];
                back.buffer().get(0, granted);
                check(Long.toString(crc(granted)).equals(xs.readString(home + "/back-crc")),
                    "the page the peer granted holds what it wrote");
                say("PASS pages: both ways, checksums match");
                roundTrips(pages.buffer(), events, port);
                sendOverRing(ring.buffer(), xs, events, port, home);
                say("counts while sharing: " + grants.counts());
                final Releases releases = new Releases(xs);
                waitFor(xs, home + "/holding", 60);
                releases.destroyAndAwait(peer);
                back.close();
                ring.close();
                pages.close();
                foreign.close();
                events.unbind(port);
                check(new GrantTable.Counts(0, 0, 0).equals(grants.counts()),
                    "dom0 holds nothing for domain " + peer + " any more: " + grants.counts());
                releases.awaitGoneFromHypervisor(peer);
            }
        }
        say("PASS share");
    }

    /**
     * Another thread's wakeup ends a wait in an event-channel handle at once, and closing the handle
     * while a thread waits in it wakes that thread with an error (the handle is freed only after it left).
     */
    private static void wakeupAndClose(final XenDriverImpl driver) throws Exception
    {
        final EventChannels handle = driver.openEventChannels();
        handle.wakeup();
        check(handle.pending(10, TimeUnit.SECONDS) == EventChannels.WOKEN, "a wakeup before the wait ends it");
        final CompletableFuture<Object> woken = waitIn(handle);
        final long wakeupMs = afterMs(handle::wakeup, woken);
        check(Integer.valueOf(EventChannels.WOKEN).equals(woken.get()), "a wakeup ends another thread's wait");
        final CompletableFuture<Object> closing = waitIn(handle);
        final long closeMs = afterMs(handle::close, closing);
        check(closing.get() instanceof DriverException, "closing the handle fails the wait in it: " + closing.get());
        say(String.format("PASS wakeup: another thread's wait ended %d ms after a wakeup, and %d ms after a close,"
            + " with: %s", wakeupMs, closeMs, ((Exception) closing.get()).getMessage()));
    }

    /**
     * A sender blocked on a full ring wakes and fails naming the peer when the peer's process dies:
     * the peer's kernel, releasing its mapping of the ring's control page, clears the peer's live
     * word and kicks the port (Xen's unmap notification). The peer is {@code die}, a second process
     * in the domU; the control page and the data page are shared apart, as the notification covers
     * one page.
     */
    private static void aPeerProcessThatDies(final XenDriverImpl driver, final XenStore xs, final int peer)
        throws Exception
    {
        final String home = "/local/domain/" + peer + "/" + LIVE;
        try (EventChannels events = driver.openEventChannels();
             SharedPages control = driver.grantTable().share(peer, 1, true, null);
             SharedPages data = driver.grantTable().share(peer, 1, true, null))
        {
            RingFormat.format(control.buffer(), data.buffer(), 1024, RingLayout.MODE_PACKET, data.refs());
            final int port = events.bindUnbound(peer);
            xs.write(home + "/refs", join(List.of(control.refs().get(0), data.refs().get(0))));
            xs.write(home + "/port", Integer.toString(port)); // last: the peer waits for it
            waitFor(xs, home + "/attached", 300);
            final RingSender sender = new RingSender(RingWriter.attach(control.buffer(), data.buffer()), events, port,
                Waiting.sleeping());
            while (sender.offer(ByteBuffer.allocate(1000), 0, TimeUnit.MILLISECONDS))
            {
                // fill the ring: the peer reads nothing
            }
            final CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    sender.send(ByteBuffer.allocate(1000));
                    return "sent";
                }
                catch (final Exception e)
                {
                    return e;
                }
            });
            Thread.sleep(500);
            check(!blocked.isDone(), "the sender waits for room: " + blocked.getNow(null));
            final long t0 = System.nanoTime();
            xs.write(home + "/die", "1");
            final Object failed = blocked.get(120, TimeUnit.SECONDS);
            final String expected = "peer domain " + peer + " is gone (Xen's unmap notification cleared its live word";
            check(failed instanceof DriverException && ((Exception) failed).getMessage().startsWith(expected),
                "the blocked sender fails with '" + expected + "...': " + failed);
            say(String.format("PASS live word: a sender blocked on a full ring woke %d ms after the peer's process"
                + " was told to die, with: %s", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                ((Exception) failed).getMessage()));
            events.unbind(port);
        }
    }

    /** The peer of {@link #aPeerProcessThatDies}: maps the ring (notification set), attaches, and halts when told. */
    private static void attachAndDie(final XenDriverImpl driver, final XenStore xs, final int peer) throws Exception
    {
        waitFor(xs, LIVE + "/port", 300);
        final List<Integer> refs = refs(xs.readString(LIVE + "/refs"));
        final EventChannels events = driver.openEventChannels();
        final int port = events.bindInterdomain(peer, Integer.parseInt(xs.readString(LIVE + "/port")));
        final MappedPages control = driver.grantTable().map(peer, List.of(refs.get(0)), true,
            new UnmapNotify(RingLayout.CONSUMER_LIVE_OFFSET, port));
        final MappedPages data = driver.grantTable().map(peer, List.of(refs.get(1)), true, null);
        RingReader.attach(control.buffer(), data.buffer(), 1024);
        xs.write(LIVE + "/attached", "1");
        waitFor(xs, LIVE + "/die", 300);
        say("dying at once, holding the ring: the kernel's release of the mapping clears the live word");
        Runtime.getRuntime().halt(0);
    }

    /** A thread waiting up to a minute in {@code handle}: what pending returned, or what it threw. */
    private static CompletableFuture<Object> waitIn(final EventChannels handle) throws InterruptedException
    {
        final CompletableFuture<Object> result = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return handle.pending(60, TimeUnit.SECONDS);
            }
            catch (final Exception e)
            {
                return e;
            }
        });
        Thread.sleep(500); // in ppoll by now
        check(!result.isDone(), "the thread waits: " + result.getNow(null));
        return result;
    }

    /** Runs {@code action} and returns how long {@code waiting} took to end after it, in ms. */
    private static long afterMs(final Action action, final CompletableFuture<Object> waiting) throws Exception
    {
        final long t0 = System.nanoTime();
        action.run();
        waiting.get(10, TimeUnit.SECONDS);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Something that may fail. */
    @FunctionalInterface
    private interface Action
    {
        void run() throws Exception;
    }

    private static void roundTrips(final ByteBuffer pages, final EventChannels events, final int port) throws Exception
    {
        // Events may be spurious or coalesced (binding an interdomain port raises one): the round trips
        // carry sequence numbers in the shared pages, and each side waits for the number it expects.
        final long[] rtt = new long[ROUND_TRIPS];
        for (int i = 0; i < rtt.length; i++)
        {
            final long t0 = System.nanoTime();
            SEQ.setRelease(pages, PING, i + 1);
            events.notify(port);
            while ((int) SEQ.getAcquire(pages, PONG) != i + 1)
            {
                expectEvent(events, port, 10, "pong " + (i + 1));
            }
            rtt[i] = System.nanoTime() - t0;
        }
        Arrays.sort(rtt);
        say(String.format("PASS round trips: grant+notify over Xen p50 %.1f us, p99 %.1f us (%d rounds)",
            rtt[rtt.length / 2] / 1e3, rtt[rtt.length * 99 / 100] / 1e3, rtt.length));
    }

    private static void sendOverRing(final ByteBuffer ring, final XenStore xs, final EventChannels events, final int port,
        final String home) throws Exception
    {
        final RingSender sender = new RingSender(RingWriter.attach(ring), events, port, Waiting.sleeping());
        final ByteBuffer packet = ByteBuffer.allocateDirect(PACKET);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(RING_SECONDS);
        long sent = 0;
        while (System.nanoTime() < end)
        {
            packet.clear();
            packet.putLong(0, sent);
            sender.send(packet);
            sent++;
        }
        sender.close();
        waitFor(xs, home + "/ring-result", 60);
        final long[] result = Arrays.stream(xs.readString(home + "/ring-result").split(" ")).mapToLong(Long::parseLong)
            .toArray();
        check(result[0] == sent, "the peer received all " + sent + " packets, in order (it got " + result[0] + ")");
        say(String.format("PASS ring: %d B packets over Xen, %.0f packets/s, %.1f MB/s (%d packets in %.2f s, each checked)",
            PACKET, result[0] * 1e9 / result[2], result[1] * 1e3 / result[2], result[0], result[2] / 1e9));
    }

    private static void map(final GrantTable grants, final XenStore xs, final EventChannels events, final int peer,
        final int self) throws Exception
    {
        waitFor(xs, DIR + "/port", 120);
        final List<Integer> refs = refs(xs.readString(DIR + "/refs"));
        final int remotePort = Integer.parseInt(xs.readString(DIR + "/port"));
        refused(grants, peer, refs.get(1) + 100, "a ref that was not granted");
        refused(grants, peer, Integer.parseInt(xs.readString(DIR + "/foreign-ref")),
            "a page dom0 granted to domain " + (self + 1));
        try (MappedPages pages = grants.map(peer, refs, true, null);
             MappedPages ring = grants.map(peer, refs(xs.readString(DIR + "/ring-refs")), true, null);
             SharedPages back = grants.share(peer, 1, true, null))
        {
            final byte[] seen = new byte[GrantTable.PAGE_SIZE];
            pages.buffer().get(0, seen);
            check(Long.toString(crc(seen)).equals(xs.readString(DIR + "/crc")), "the sharer's bytes arrived intact");
            final byte[] mine = new byte[GrantTable.PAGE_SIZE];
            new Random(self).nextBytes(mine);
            pages.buffer().put(GrantTable.PAGE_SIZE, mine);
            new Random(-self).nextBytes(mine);
            back.buffer().put(0, mine);
            xs.write(DIR + "/back-ref", back.refs().get(0).toString());
            xs.write(DIR + "/back-crc", Long.toString(crc(mine)));
            pages.buffer().get(GrantTable.PAGE_SIZE, mine);
            xs.write(DIR + "/reply-crc", Long.toString(crc(mine))); // last: the sharer waits for it
            final int port = events.bindInterdomain(peer, remotePort);
            events.notify(port);
            answerPings(pages.buffer(), events, port);
            receiveOverRing(ring.buffer(), xs, events, port);
            say("counts while mapping: " + grants.counts());
            say("PASS map");
            xs.write(DIR + "/holding", "1");
            say("holding the pages, the ring, a grant and the port until dom0 destroys this domain");
            Thread.sleep(TimeUnit.SECONDS.toMillis(120));
            check(false, "dom0 destroyed this domain within 120 s");
        }
    }

    private static void answerPings(final ByteBuffer pages, final EventChannels events, final int port) throws Exception
    {
        for (int answered = 0; answered < ROUND_TRIPS;)
        {
            expectEvent(events, port, 10, "ping " + (answered + 1));
            final int ping = (int) SEQ.getAcquire(pages, PING);
            if (ping > answered)
            {
                answered = ping;
                SEQ.setRelease(pages, PONG, answered);
                events.notify(port);
            }
        }
    }

    private static void receiveOverRing(final ByteBuffer ring, final XenStore xs, final EventChannels events,
        final int port) throws Exception
    {
        final RingReceiver receiver = new RingReceiver(RingReader.attach(ring, RING_MAX_PACKET), events, port,
            Waiting.sleeping());
        final ByteBuffer packet = ByteBuffer.allocateDirect(RING_MAX_PACKET);
        long packets = 0;
        long bytes = 0;
        long start = 0;
        while (true)
        {
            packet.clear();
            final int length = receiver.receive(packet);
            if (length == RingReader.END)
            {
                break;
            }
            if (packets == 0)
            {
                start = System.nanoTime();
            }
            check(length == PACKET && packet.getLong(0) == packets, "packet " + packets + " arrived whole and in order"
                + " (length " + length + ", number " + packet.getLong(0) + ")");
            packets++;
            bytes += length;
        }
        xs.write(DIR + "/ring-result", packets + " " + bytes + " " + (System.nanoTime() - start));
        say("received " + packets + " packets over the ring, each whole and in order");
    }

    private static void refused(final GrantTable grants, final int peer, final int ref, final String what)
        throws DriverException
    {
        try
        {
            grants.map(peer, List.of(ref), false, null).close();
        }
        catch (final DriverException refused)
        {
            say("refused as it must be, " + what + ": " + refused.getMessage());
            return;
        }
        check(false, "mapping " + what + " is refused");
    }

    /** Watches {@code @releaseDomain} from before the domain is destroyed. */
    private static final class Releases
    {
        private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final XenStore xs;
        private final Watch watch;

        Releases(final XenStore xs) throws Exception
        {
            this.xs = xs;
            this.watch = xs.watch("@releaseDomain", events::add);
            check(events.poll(10, TimeUnit.SECONDS) != null, "@releaseDomain fires once when watched");
        }

        void destroyAndAwait(final int domid) throws Exception
        {
            final long t0 = System.nanoTime();
            xl("destroy", domid);
            do
            {
                check(events.poll(30, TimeUnit.SECONDS) != null, "@releaseDomain fired within 30 s of xl destroy");
            }
            while (xs.isDomainIntroduced(domid));
            watch.close();
            say(String.format("@releaseDomain: domain %d released %.0f ms after xl destroy%s", domid,
                (System.nanoTime() - t0) / 1e6, xl("list", domid) == 0 ? "; the hypervisor still holds it: dom0 maps"
                    + " one of its pages" : ""));
        }

        void awaitGoneFromHypervisor(final int domid) throws Exception
        {
            final long t0 = System.nanoTime();
            while (xl("list", domid) == 0)
            {
                check(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30),
                    "the hypervisor freed domain " + domid + " within 30 s of dom0 letting go");
                Thread.sleep(100);
            }
            say(String.format("PASS release: domain %d gone from the hypervisor %.0f ms after dom0 let go; dom0 holds"
                + " nothing", domid, (System.nanoTime() - t0) / 1e6));
        }

        private static int xl(final String command, final int domid) throws Exception
        {
            final Process xl = new ProcessBuilder("xl", command, Integer.toString(domid))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            check(xl.waitFor(60, TimeUnit.SECONDS), "xl " + command + " " + domid + " finished within 60 s");
            return xl.exitValue();
        }
    }

    private static void waitFor(final XenStore xs, final String path, final int seconds) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!xs.exists(path))
        {
            check(System.nanoTime() < deadline, path + " appeared within " + seconds + " s");
            Thread.sleep(50);
        }
    }

    private static void expectEvent(final EventChannels events, final int port, final int seconds, final String what)
        throws Exception
    {
        final int pending = events.pending(seconds, TimeUnit.SECONDS);
        check(pending == port, what + " on port " + port + " (got " + pending + ")");
        events.unmask(port);
    }

    private static List<Integer> refs(final String text)
    {
        return Arrays.stream(text.split(",")).map(Integer::valueOf).toList();
    }

    private static String join(final List<Integer> refs)
    {
        return String.join(",", refs.stream().map(String::valueOf).toList());
    }

    private static long crc(final byte[] bytes)
    {
        final CRC32 crc = new CRC32();
        crc.update(ByteBuffer.wrap(bytes));
        return crc.getValue();
    }

    private static void check(final boolean ok, final String what)
    {
        if (!ok)
        {
            throw new AssertionError(what + ": no");
        }
    }

    private static void say(final String line)
    {
        System.out.println("TUBES-CHECK " + line);
        System.out.flush();
    }
}
