package io.tubes.driver.xen.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClient;

/**
 * The driver on real Xen, end to end between two domains: {@code share PEER} (in one domain) grants
 * two pages to PEER, binds an unbound port and publishes both in PEER's XenStore home;
 * {@code map PEER} (in PEER) reads them through its own XenStore connection, is refused a ref it was
 * not granted, maps the pages, checks the sharer's bytes and writes its own, then both sides
 * ping-pong over the event channel. Each side prints {@code TUBES-CHECK ... PASS} or {@code FAIL}.
 */
public final class XenSelfCheck
{
    private static final String DIR = "data/tubes-check";
    private static final java.lang.invoke.VarHandle SEQ = java.lang.invoke.MethodHandles.byteBufferViewVarHandle(
        int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    /** Where the sharer writes its ping number and the mapper its pong: the end of each page, past the checks. */
    private static final int PING = GrantTable.PAGE_SIZE - 8;
    private static final int PONG = 2 * GrantTable.PAGE_SIZE - 8;

    private XenSelfCheck()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final boolean sharer = "share".equals(args[0]);
        final int peer = Integer.parseInt(args[1]);
        try (XenDriverImpl driver = XenDriverImpl.start(XenDriverImpl.DEVICES);
             XenStoreClient xs = XenStoreClient.connect(XenStoreAddress.of(Path.of(driver.xenstorePath())));
             EventChannels events = driver.openEventChannels())
        {
            say("domain " + driver.domid() + ", xenstore via " + driver.xenstorePath());
            if (sharer)
            {
                share(driver.grantTable(), xs, events, peer);
            }
            else
            {
                map(driver.grantTable(), xs, events, peer, driver.domid());
            }
        }
        catch (final Exception e)
        {
            say("FAIL " + e);
            System.exit(1);
        }
    }

    private static void share(final GrantTable grants, final XenStoreClient xs, final EventChannels events,
        final int peer) throws Exception
    {
        final String home = "/local/domain/" + peer + "/" + DIR;
        final int port = events.bindUnbound(peer);
        try (SharedPages pages = grants.share(peer, 2, true, null))
        {
            final byte[] pattern = new byte[GrantTable.PAGE_SIZE];
            new Random(42).nextBytes(pattern);
            pages.buffer().put(0, pattern);
            xs.write(home + "/crc", Long.toString(crc(pattern)));
            xs.write(home + "/refs", pages.refs().get(0) + "," + pages.refs().get(1));
            xs.write(home + "/port", Integer.toString(port)); // last: the peer waits for it
            say("shared refs " + pages.refs() + " and port " + port + " with domain " + peer);
            while (!xs.exists(home + "/reply-crc"))
            {
                expectEvent(events, port, 120, "the peer's first notification");
            }
            final byte[] reply = new byte[GrantTable.PAGE_SIZE];
            pages.buffer().get(GrantTable.PAGE_SIZE, reply);
            check(Long.toString(crc(reply)).equals(xs.readString(home + "/reply-crc")),
                "the peer's bytes in page 2 match its checksum");
            // Events may be spurious or coalesced (binding an interdomain port raises one): the round trips
            // carry sequence numbers in the shared pages, and each side waits for the number it expects.
            final long[] rtt = new long[1000];
            for (int i = 0; i < rtt.length; i++)
            {
                final long t0 = System.nanoTime();
                SEQ.setRelease(pages.buffer(), PING, i + 1);
                events.notify(port);
                while ((int) SEQ.getAcquire(pages.buffer(), PONG) != i + 1)
                {
                    expectEvent(events, port, 10, "pong " + (i + 1));
                }
                rtt[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rtt);
            say(String.format("event-channel round trip over Xen: p50 %.1f us, p99 %.1f us (%d rounds)",
                rtt[rtt.length / 2] / 1e3, rtt[rtt.length * 99 / 100] / 1e3, rtt.length));
            say("counts while sharing: " + grants.counts());
        }
        say("PASS share");
    }

    private static void map(final GrantTable grants, final XenStoreClient xs, final EventChannels events,
        final int peer, final int self) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!xs.exists(DIR + "/port"))
        {
            check(System.nanoTime() < deadline, "the sharer published its refs within 120 s");
            Thread.sleep(100);
        }
        final List<Integer> refs = Arrays.stream(xs.readString(DIR + "/refs").split(",")).map(Integer::valueOf).toList();
        final int remotePort = Integer.parseInt(xs.readString(DIR + "/port"));
        try
        {
            grants.map(peer, List.of(refs.get(1) + 100), false, null).close();
            check(false, "mapping a ref that was not granted is refused");
        }
        catch (final DriverException refused)
        {
            say("refused as it must be: " + refused.getMessage());
        }
        try (MappedPages pages = grants.map(peer, refs, true, null))
        {
            final byte[] seen = new byte[GrantTable.PAGE_SIZE];
            pages.buffer().get(0, seen);
            check(Long.toString(crc(seen)).equals(xs.readString(DIR + "/crc")), "the sharer's bytes arrived intact");
            final byte[] mine = new byte[GrantTable.PAGE_SIZE];
            new Random(self).nextBytes(mine);
            pages.buffer().put(GrantTable.PAGE_SIZE, mine);
            xs.write(DIR + "/reply-crc", Long.toString(crc(mine)));
            final int port = events.bindInterdomain(peer, remotePort);
            events.notify(port);
            for (int answered = 0; answered < 1000;)
            {
                expectEvent(events, port, 10, "ping " + (answered + 1));
                final int ping = (int) SEQ.getAcquire(pages.buffer(), PING);
                if (ping > answered)
                {
                    answered = ping;
                    SEQ.setRelease(pages.buffer(), PONG, answered);
                    events.notify(port);
                }
            }
            say("counts while mapping: " + grants.counts());
        }
        say("PASS map");
    }

    private static void expectEvent(final EventChannels events, final int port, final int seconds, final String what)
        throws Exception
    {
        final int pending = events.pending(seconds, TimeUnit.SECONDS);
        check(pending == port, what + " on port " + port + " (got " + pending + ")");
        events.unmask(port);
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
            throw new IllegalStateException(what + ": no");
        }
    }

    private static void say(final String line)
    {
        System.out.println("TUBES-CHECK " + line);
        System.out.flush();
    }
}
