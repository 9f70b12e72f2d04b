package io.tubes.xenstore.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreTransaction;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstored.XenStored;

/** The client against a real xenstored over its real socket. */
class XenStoreClientTest
{
    @TempDir
    Path dir;

    private XenStored xenstored;
    private XenStoreClient client;

    @BeforeEach
    void start() throws IOException
    {
        xenstored = XenStored.start(dir);
        client = XenStoreClient.connect(XenStoreAddress.of(xenstored.dom0Socket()), 5_000, 20);
    }

    @AfterEach
    void stop()
    {
        client.close();
        xenstored.close();
    }

    @Test
    void nodeOperationsRoundTrip() throws IOException
    {
        client.write("/a/b", "value");
        assertEquals("value", client.readString("/a/b"));
        assertEquals(List.of("b"), client.directory("/a"));
        assertEquals(Optional.empty(), client.tryRead("/a/none"));
        client.setPermissions("/a/b", List.of(Permission.parse("n0"), Permission.parse("r3")));
        assertEquals(List.of(new Permission(0, Permission.Access.NONE), new Permission(3, Permission.Access.READ)),
            client.getPermissions("/a/b"));
        final byte[] binary = {0, 1, 2, (byte) 0xFF};
        client.write("/a/bin", binary);
        assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 0xFF), boxed(client.read("/a/bin")));
        client.rm("/a");
        assertFalse(client.exists("/a/b"));
        assertEquals("/local/domain/4", client.getDomainPath(4));
    }

    @Test
    void errorsCarryXensErrorName()
    {
        final XenStoreException e = assertThrows(XenStoreException.class, () -> client.read("/missing"));
        assertEquals(Optional.of(XenStoreError.ENOENT), e.error());
        assertTrue(e.getMessage().contains("read /missing") && e.getMessage().contains("ENOENT"), e.getMessage());
        assertTrue(assertThrows(XenStoreException.class, () -> client.read("/bad//path")).is(XenStoreError.EINVAL));
    }

    @Test
    void watchEventsArriveOffTheSocketThread() throws Exception
    {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<String> threads = new ArrayList<>();
        try (Watch watch = client.watch("/w", path ->
        {
            threads.add(Thread.currentThread().getName());
            events.add(path);
        }))
        {
            assertEquals("/w", events.poll(5, TimeUnit.SECONDS), "fires once when set");
            client.write("/w/x", "1");
            assertEquals("/w/x", events.poll(5, TimeUnit.SECONDS));
            assertTrue(threads.get(0).startsWith("xenstore events"), threads.toString());
        }
        client.write("/w/y", "2");
        client.write("/w/sync", "3");
        assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS), "no events after close");
    }

    @Test
    void manyRequestsInFlightFromManyThreads() throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        try
        {
            final List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++)
            {
                final int n = i;
                results.add(pool.submit(() ->
                {
                    client.write("/many/" + n, "v" + n);
                    return client.readString("/many/" + n);
                }));
            }
            for (int i = 0; i < results.size(); i++)
            {
                assertEquals("v" + i, results.get(i).get(30, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void racingTransactionsOneCommitsOneGetsEagainAndRetriesLand() throws Exception
    {
        client.write("/counter", "0");
        try (XenStoreClient other = XenStoreClient.connect(XenStoreAddress.of(xenstored.dom0Socket())))
        {
            final XenStoreTransaction first = client.startTransaction();
            final XenStoreTransaction second = other.startTransaction();
            first.write("/counter", first.readString("/counter") + "+a");
            second.write("/counter", second.readString("/counter") + "+b");
            client.endTransaction(first, true);
            final XenStoreException conflict = assertThrows(XenStoreException.class,
                () -> other.endTransaction(second, true));
            assertTrue(conflict.is(XenStoreError.EAGAIN), conflict.getMessage());
            assertEquals("0+a", client.readString("/counter"));

            client.write("/counter", "0");
            final ExecutorService pool = Executors.newFixedThreadPool(2);
            final CountDownLatch go = new CountDownLatch(1);
            final AtomicInteger attempts = new AtomicInteger();
            final List<Future<Void>> done = new ArrayList<>();
            for (final XenStoreClient racer : List.of(client, other))
            {
                done.add(pool.submit(() ->
                {
                    go.await();
                    for (int i = 0; i < 50; i++)
                    {
                        racer.transaction(tx ->
                        {
                            attempts.incrementAndGet();
                            final int value = Integer.parseInt(tx.readString("/counter"));
                            tx.write("/counter", Integer.toString(value + 1));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (final Future<Void> future : done)
            {
                future.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals("100", client.readString("/counter"), "every increment landed once");
            assertTrue(attempts.get() >= 100);
        }
    }

    @Test
    void transactionGivesUpWithAClearErrorWhenConflictsNeverStop() throws IOException
    {
        client.write("/hot", "0");
        try (XenStoreClient rude = XenStoreClient.connect(XenStoreAddress.of(xenstored.dom0Socket()));
             XenStoreClient patient = XenStoreClient.connect(XenStoreAddress.of(xenstored.dom0Socket()), 5_000, 3))
        {
            final XenStoreException e = assertThrows(XenStoreException.class, () -> patient.transaction(tx ->
            {
                tx.readString("/hot");
                rude.write("/hot", "changed");
                tx.write("/hot", "mine");
                return null;
            }));
            assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
            assertEquals("changed", client.readString("/hot"));
        }
    }

    @Test
    void aBodyThatThrowsAbortsItsTransaction() throws IOException
    {
        assertThrows(IllegalStateException.class, () -> client.transaction(tx ->
        {
            tx.write("/aborted", "x");
            throw new IllegalStateException("changed my mind");
        }));
        assertFalse(client.exists("/aborted"));
    }

    @Test
    void lostConnectionFailsCallsThenReconnectsAndWatchesAgain() throws Exception
    {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        client.watch("/survive", events::add);
        assertEquals("/survive", events.poll(5, TimeUnit.SECONDS));
        xenstored.close();
        final XenStoreException lost = assertThrows(XenStoreException.class, () -> pollUntilFails(client));
        assertTrue(lost.getMessage().contains("xenstored at"), lost.getMessage());

        xenstored = XenStored.start(dir);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.isConnected() && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(client.isConnected(), "reconnected");
        assertEquals("/survive", events.poll(5, TimeUnit.SECONDS), "the watch is set again and fires once");
        client.write("/survive/again", "x");
        assertEquals("/survive/again", events.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void refusesToStartWithoutXenstoredAndSaysWhere()
    {
        final XenStoreException e = assertThrows(XenStoreException.class,
            () -> XenStoreClient.connect(XenStoreAddress.of(dir.resolve("nothing-here"))));
        assertTrue(e.getMessage().contains("cannot connect to xenstored at socket " + dir.resolve("nothing-here")),
            e.getMessage());
    }

    @Test
    void addressFollowsXenstoredPathThenConfigThenDriverAndNeverGuessesASimulatedHostsDom0() throws IOException
    {
        final Map<String, String> env = Map.of("XENSTORED_PATH", "/x/socket", "TUBES_SIM_HOST", "/h");
        assertEquals(Path.of("/x/socket"), XenStoreAddress.resolve("/conf", "/drv", env).path());
        final Map<String, String> simOnly = Map.of("TUBES_SIM_HOST", dir.toString());
        assertEquals(Path.of("/conf"), XenStoreAddress.resolve("/conf", "/drv", simOnly).path());
        assertEquals(Path.of("/drv"), XenStoreAddress.resolve("", "/drv", simOnly).path());
        assertEquals(false, XenStoreAddress.of(xenstored.dom0Socket()).device());
        assertTrue(XenStoreAddress.of(Path.of("/dev/null")).device());
        if (!Files.exists(XenStoreAddress.XEN_SOCKET) && !Files.exists(XenStoreAddress.XENBUS_DEVICE))
        {
            final IOException none = assertThrows(IOException.class, () -> XenStoreAddress.resolve("", null, simOnly));
            assertTrue(none.getMessage().contains("no xenstored found"), none.getMessage());
        }
        else
        {
            assertNotEquals(dir, XenStoreAddress.resolve("", null, simOnly).path().getParent().getParent());
        }
    }

    private static void pollUntilFails(final XenStoreClient client) throws XenStoreException, InterruptedException
    {
        for (int i = 0; i < 500; i++)
        {
            client.tryRead("/survive");
            Thread.sleep(10);
        }
    }

    private static List<Byte> boxed(final byte[] bytes)
    {
        final List<Byte> out = new ArrayList<>();
        for (final byte b : bytes)
        {
            out.add(b);
        }
        return out;
    }
}
