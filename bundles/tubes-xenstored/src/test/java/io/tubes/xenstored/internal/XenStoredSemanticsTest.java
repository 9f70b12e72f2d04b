package io.tubes.xenstored.internal;

import static io.tubes.xenstore.wire.XsMessageType.DIRECTORY;
import static io.tubes.xenstore.wire.XsMessageType.DIRECTORY_PART;
import static io.tubes.xenstore.wire.XsMessageType.GET_DOMAIN_PATH;
import static io.tubes.xenstore.wire.XsMessageType.GET_PERMS;
import static io.tubes.xenstore.wire.XsMessageType.INTRODUCE;
import static io.tubes.xenstore.wire.XsMessageType.IS_DOMAIN_INTRODUCED;
import static io.tubes.xenstore.wire.XsMessageType.MKDIR;
import static io.tubes.xenstore.wire.XsMessageType.READ;
import static io.tubes.xenstore.wire.XsMessageType.RELEASE;
import static io.tubes.xenstore.wire.XsMessageType.RM;
import static io.tubes.xenstore.wire.XsMessageType.SET_PERMS;
import static io.tubes.xenstore.wire.XsMessageType.TRANSACTION_END;
import static io.tubes.xenstore.wire.XsMessageType.TRANSACTION_START;
import static io.tubes.xenstore.wire.XsMessageType.UNWATCH;
import static io.tubes.xenstore.wire.XsMessageType.WATCH;
import static io.tubes.xenstore.wire.XsMessageType.WATCH_EVENT;
import static io.tubes.xenstore.wire.XsMessageType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.wire.XsPayload;

/** xenstored's answers as Xen 4.17's, over real sockets: tree, permissions, watches, transactions, domains, quotas. */
class XenStoredSemanticsTest
{
    @TempDir
    Path dir;

    private Server server;
    private RawConnection dom0;

    @BeforeEach
    void start() throws IOException
    {
        server = Server.start(dir);
        dom0 = new RawConnection(Server.dom0Socket(dir));
    }

    @AfterEach
    void stop() throws IOException
    {
        dom0.close();
        server.stop();
    }

    private RawConnection domain(final int domid) throws IOException
    {
        server.introduce(domid);
        return new RawConnection(Server.domainSocket(dir, domid));
    }

    @Test
    void writeCreatesParentsAndReadsBack() throws IOException
    {
        dom0.write("/a/b/c", "hello");
        assertEquals("hello", dom0.call(READ, "/a/b/c").text());
        assertEquals("", dom0.call(READ, "/a/b").text());
        assertEquals(List.of("b"), dom0.call(DIRECTORY, "/a").strings());
        assertTrue(dom0.call(READ, "/a/x").isError("ENOENT"));
    }

    @Test
    void relativePathsAreUnderTheCallersDomain() throws IOException
    {
        try (RawConnection five = domain(5))
        {
            dom0.call(MKDIR, "/local/domain/5");
            dom0.call(SET_PERMS, "/local/domain/5", "b5");
            five.write("name", "five");
            assertEquals("five", dom0.call(READ, "/local/domain/5/name").text());
            assertEquals("/local/domain/7", five.call(GET_DOMAIN_PATH, "7").text());
        }
    }

    @Test
    void newNodesInheritPermissionsAndBelongToAnUnprivilegedCreator() throws IOException
    {
        try (RawConnection five = domain(5))
        {
            dom0.call(MKDIR, "/shared");
            dom0.call(SET_PERMS, "/shared", "n0", "b5");
            five.write("/shared/mine", "x");
            assertEquals(List.of("n5", "b5"), dom0.call(GET_PERMS, "/shared/mine").strings());
            dom0.write("/shared/dom0s", "y");
            assertEquals(List.of("n0", "b5"), dom0.call(GET_PERMS, "/shared/dom0s").strings());
            assertEquals(1, server.entries(5));
        }
    }

    @Test
    void aThirdDomainCanNeitherReadNorWriteWhatTwoOthersShare() throws IOException
    {
        try (RawConnection one = domain(1); RawConnection two = domain(2); RawConnection three = domain(3))
        {
            dom0.call(MKDIR, "/local/domain/1");
            dom0.call(SET_PERMS, "/local/domain/1", "n1");
            one.write("/local/domain/1/link", "secret");
            one.call(SET_PERMS, "/local/domain/1/link", "n1", "b2");

            assertEquals("secret", two.call(READ, "/local/domain/1/link").text());
            two.write("/local/domain/1/link", "answer");
            assertTrue(three.call(READ, "/local/domain/1/link").isError("EACCES"));
            assertTrue(three.call(WRITE, 0, XsPayload.stringThenBytes("/local/domain/1/link", new byte[] {1}))
                .isError("EACCES"));
            assertTrue(three.call(DIRECTORY, "/local/domain/1").isError("EACCES"));
            // Not even whether a node exists leaks: the parent is unreadable to domain 3.
            assertTrue(three.call(READ, "/local/domain/1/nothing").isError("EACCES"));
            assertTrue(two.call(SET_PERMS, "/local/domain/1/link", "b2").isError("EACCES"));
            assertTrue(one.call(SET_PERMS, "/local/domain/1/link", "n2").isError("EPERM"));
            assertEquals("answer", one.call(READ, "/local/domain/1/link").text());
        }
    }

    @Test
    void watchFiresOnceWhenSetThenForChangesBelowIt() throws IOException
    {
        dom0.call(WATCH, "/w", "tok");
        assertEquals(List.of("/w", "tok"), dom0.read().strings());
        dom0.send(WRITE, 0, XsPayload.stringThenBytes("/w/x/y", new byte[] {1}));
        final List<RawConnection.Frame> frames = List.of(dom0.read(), dom0.read());
        assertTrue(frames.stream().anyMatch(f -> f.type() == WATCH_EVENT.code()
            && f.strings().equals(List.of("/w/x/y", "tok"))), frames::toString);
        dom0.write("/other", "z");
        dom0.call(UNWATCH, "/w", "tok");
        dom0.write("/w", "after");
        dom0.send(READ, 0, XsPayload.strings("/w"));
        final RawConnection.Frame next = dom0.read();
        assertEquals(READ.code(), next.type(), "no event may be queued before this reply: " + next.strings());
        assertEquals("after", next.text());
    }

    @Test
    void removingATreeFiresWatchesOnNodesInside() throws IOException
    {
        dom0.write("/t/a/b", "1");
        dom0.call(WATCH, "/t/a/b", "inner");
        dom0.read();
        dom0.send(RM, 0, XsPayload.strings("/t"));
        final List<List<String>> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            seen.add(dom0.read().strings());
        }
        assertTrue(seen.contains(List.of("/t/a/b", "inner")), seen::toString);
        assertTrue(dom0.call(READ, "/t").isError("ENOENT"));
    }

    @Test
    void relativeWatchReportsRelativePaths() throws IOException
    {
        try (RawConnection five = domain(5))
        {
            dom0.call(MKDIR, "/local/domain/5");
            dom0.call(SET_PERMS, "/local/domain/5", "b5");
            five.call(WATCH, "data", "rel");
            assertEquals(List.of("data", "rel"), five.read().strings());
            five.send(WRITE, 0, XsPayload.stringThenBytes("data/x", new byte[0]));
            final List<List<String>> seen = List.of(five.read().strings(), five.read().strings());
            assertTrue(seen.contains(List.of("data/x", "rel")), seen::toString);
        }
    }

    @Test
    void watchersOnlySeeEventsForNodesTheyMayRead() throws IOException
    {
        try (RawConnection five = domain(5))
        {
            dom0.call(MKDIR, "/local/domain/5");
            dom0.call(SET_PERMS, "/local/domain/5", "n5");
            five.call(WATCH, "/secret", "peek");
            five.read();
            dom0.write("/secret/x", "hidden");
            five.send(READ, 0, XsPayload.strings("/secret/x"));
            final RawConnection.Frame next = five.read();
            assertTrue(next.isError("EACCES"), "the only frame is this reply, no event: " + next.strings());
        }
    }

    @Test
    void transactionSeesItsSnapshotAndConflictsGiveEagain() throws IOException
    {
        dom0.write("/tx/n", "a");
        final int tx = Integer.parseInt(dom0.call(TRANSACTION_START, "").text());
        assertEquals("a", dom0.call(READ, tx, XsPayload.strings("/tx/n")).text());
        dom0.write("/tx/n", "b");
        assertEquals("a", dom0.call(READ, tx, XsPayload.strings("/tx/n")).text());
        dom0.call(WRITE, tx, XsPayload.stringThenBytes("/tx/n", "c".getBytes()));
        assertTrue(dom0.call(TRANSACTION_END, tx, XsPayload.strings("T")).isError("EAGAIN"));
        assertEquals("b", dom0.call(READ, "/tx/n").text());

        final int again = Integer.parseInt(dom0.call(TRANSACTION_START, "").text());
        dom0.call(WRITE, again, XsPayload.stringThenBytes("/tx/n", "d".getBytes()));
        assertEquals("b", dom0.call(READ, "/tx/n").text(), "not visible before commit");
        assertEquals("OK", dom0.call(TRANSACTION_END, again, XsPayload.strings("T")).text());
        assertEquals("d", dom0.call(READ, "/tx/n").text());
        assertTrue(dom0.call(TRANSACTION_END, again, XsPayload.strings("T")).isError("ENOENT"));
        assertTrue(dom0.call(TRANSACTION_START, again, XsPayload.strings("")).isError("ENOENT"));
    }

    @Test
    void introduceAndReleaseActAsXenDoes() throws IOException
    {
        dom0.call(WATCH, "@releaseDomain", "rel");
        dom0.read();
        assertEquals("OK", dom0.call(INTRODUCE, "9", "0", "1").text());
        assertTrue(Files.exists(Server.domainSocket(dir, 9)));
        assertEquals("T", dom0.call(IS_DOMAIN_INTRODUCED, "9").text());
        try (RawConnection nine = new RawConnection(Server.domainSocket(dir, 9)))
        {
            dom0.call(MKDIR, "/local/domain/9");
            dom0.call(SET_PERMS, "/local/domain/9", "n9");
            nine.write("/local/domain/9/owned", "x");
            assertTrue(nine.call(INTRODUCE, "10", "0", "1").isError("EACCES"));

            dom0.send(RELEASE, 0, XsPayload.strings("9"));
            final List<List<String>> seen = List.of(dom0.read().strings(), dom0.read().strings());
            assertTrue(seen.contains(List.of("@releaseDomain", "rel")), seen::toString);
            assertTrue(dom0.call(READ, "/local/domain/9").isError("ENOENT"), "nodes of a released domain go");
            assertFalse(Files.exists(Server.domainSocket(dir, 9)));
            assertEquals("F", dom0.call(IS_DOMAIN_INTRODUCED, "9").text());
            assertTrue(dom0.call(RELEASE, "9").isError("ENOENT"));
        }
    }

    @Test
    void directoryPartSplitsLongListings() throws IOException
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < 400; i++)
        {
            names.add("child-number-" + i);
            dom0.call(MKDIR, "/big/child-number-" + i);
        }
        assertTrue(dom0.call(DIRECTORY, "/big").isError("E2BIG"));
        final List<String> got = new ArrayList<>();
        int offset = 0;
        while (true)
        {
            final List<String> part = dom0.call(DIRECTORY_PART, "/big", Integer.toString(offset)).strings();
            final List<String> children = part.subList(1, part.size());
            if (!children.isEmpty() && children.get(children.size() - 1).isEmpty())
            {
                got.addAll(children.subList(0, children.size() - 1));
                break;
            }
            got.addAll(children);
            for (final String child : children)
            {
                offset += child.length() + 1;
            }
        }
        assertEquals(names, got);
    }

    @Test
    void unprivilegedDomainsMeetXensQuotas() throws IOException
    {
        try (RawConnection five = domain(5))
        {
            dom0.call(MKDIR, "/local/domain/5");
            dom0.call(SET_PERMS, "/local/domain/5", "n5");
            assertTrue(five.call(WRITE, 0, XsPayload.stringThenBytes("big", new byte[2100])).isError("ENOSPC"));
            assertTrue(five.call(SET_PERMS, "/local/domain/5", "n5", "r1", "r2", "r3", "r4", "r6").isError("ENOSPC"));
            for (int i = 0; i < Requests.QUOTA_WATCHES; i++)
            {
                assertEquals("OK", five.call(WATCH, "w" + i, "t").text());
            }
            assertTrue(five.call(WATCH, "one-more", "t").isError("E2BIG"));
            for (int i = 0; i < Requests.QUOTA_TRANSACTIONS; i++)
            {
                assertEquals(TRANSACTION_START.code(), five.call(TRANSACTION_START, "").type());
            }
            assertTrue(five.call(TRANSACTION_START, "").isError("ENOSPC"));
            assertTrue(five.call(WRITE, 0, XsPayload.stringThenBytes("wide", new byte[1900])).text().equals("OK"));
            // A node's record includes its children's names, so a parent fills up too.
            int children = 0;
            while (five.call(MKDIR, "wide/child-" + children).text().equals("OK"))
            {
                children++;
            }
            assertTrue(children < 20, "children=" + children);
            int created = 0;
            while (five.call(MKDIR, "d" + created / 50 + "/n" + created % 50).text().equals("OK"))
            {
                created++;
            }
            assertEquals(Tree.QUOTA_ENTRIES, server.entries(5), "entries stop at the quota");
            assertTrue(five.call(MKDIR, "yet-another").isError("ENOSPC"));
        }
    }
}
