package io.tubes.xenstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstored.XenStored;

/**
 * Debian's xenstore-utils and Xen's test-xenstore (libxenstore 4.17, real processes) against our
 * xenstored, as dom0 and as introduced domains through their own sockets; our client reads back
 * what they wrote.
 */
// Processes that hang fail the test instead of the build; @AfterEach still kills them.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XenToolsInteropTest
{
    @TempDir
    Path dir;

    private XenStored xenstored;
    private XenStoreConnection dom0;
    private Path dom0Socket;

    @BeforeEach
    void start() throws IOException
    {
        xenstored = XenStored.start(dir);
        dom0Socket = xenstored.dom0Socket();
        dom0 = XenStoreClients.connect(XenStoreAddress.of(dom0Socket));
    }

    @AfterEach
    void stop()
    {
        dom0.close();
        xenstored.close();
    }

    /** Introduces a domain with a home it owns, as a toolstack does, and returns its socket. */
    private Path domain(final int domid, final String name) throws IOException
    {
        xenstored.introduce(domid);
        final String home = "/local/domain/" + domid;
        dom0.mkdir(home);
        dom0.setPermissions(home, List.of(new Permission(domid, Permission.Access.NONE)));
        dom0.write(home + "/name", name);
        dom0.write(home + "/domid", Integer.toString(domid));
        return xenstored.domainSocket(domid);
    }

    @Test
    void xenToolsAsDom0() throws Exception
    {
        XenTools.run(dom0Socket, "xenstore-write", "/vm/a", "one", "/vm/b/c", "two").ok();
        assertEquals("one", dom0.readString("/vm/a"));
        assertEquals("two", dom0.readString("/vm/b/c"));

        dom0.write("/vm/from-java", "hello tools");
        assertEquals("hello tools\n", XenTools.run(dom0Socket, "xenstore-read", "/vm/from-java").ok().out());
        assertEquals(List.of("a", "b", "from-java"),
            List.of(XenTools.run(dom0Socket, "xenstore-list", "/vm").ok().out().split("\n")));
        final String ls = XenTools.run(dom0Socket, "xenstore-ls", "/vm").ok().out();
        assertTrue(ls.contains("a = \"one\"") && ls.contains(" c = \"two\""), ls);

        assertEquals(0, XenTools.run(dom0Socket, "xenstore-exists", "/vm/a").exitCode());
        assertNotEquals(0, XenTools.run(dom0Socket, "xenstore-exists", "/vm/nothing").exitCode());
        XenTools.run(dom0Socket, "xenstore-chmod", "/vm/a", "n0", "r7").ok();
        assertEquals(List.of(Permission.parse("n0"), Permission.parse("r7")), dom0.getPermissions("/vm/a"));
        XenTools.run(dom0Socket, "xenstore-rm", "/vm/b").ok();
        assertEquals(List.of("a", "from-java"), dom0.directory("/vm"));
    }

    @Test
    void xenToolsAsAnIntroducedDomain() throws Exception
    {
        final Path five = domain(5, "five");
        XenTools.run(five, "xenstore-write", "data/greeting", "hi from 5").ok();
        assertEquals("hi from 5", dom0.readString("/local/domain/5/data/greeting"));
        assertEquals("five\n", XenTools.run(five, "xenstore-read", "name").ok().out());
        final String ls = XenTools.run(five, "xenstore-ls", "-p", "/local/domain/5").ok().out();
        assertTrue(ls.contains("greeting = \"hi from 5\"") && ls.contains("(n5)"), ls);
        final XenTools.Result denied = XenTools.run(five, "xenstore-read", "/tool/xenstored");
        assertNotEquals(0, denied.exitCode());
        assertTrue(denied.err().contains("couldn't read path"), denied.err());
    }

    @Test
    void aThirdDomainCanNeitherReadNorWriteWhatTwoOthersShare() throws Exception
    {
        final Path one = domain(1, "one");
        final Path two = domain(2, "two");
        final Path three = domain(3, "three");
        XenTools.run(one, "xenstore-write", "data/link", "shared").ok();
        XenTools.run(one, "xenstore-chmod", "data/link", "n1", "b2").ok();

        assertEquals("shared\n", XenTools.run(two, "xenstore-read", "/local/domain/1/data/link").ok().out());
        XenTools.run(two, "xenstore-write", "/local/domain/1/data/link", "answered").ok();
        assertNotEquals(0, XenTools.run(three, "xenstore-read", "/local/domain/1/data/link").exitCode());
        assertNotEquals(0, XenTools.run(three, "xenstore-write", "/local/domain/1/data/link", "hijack").exitCode());
        assertNotEquals(0, XenTools.run(three, "xenstore-ls", "/local/domain/1").exitCode());
        assertEquals("answered", dom0.readString("/local/domain/1/data/link"));
        try (XenStoreConnection thirdAsJava = XenStoreClients.connect(XenStoreAddress.of(three)))
        {
            final XenStoreException denied = assertThrows(XenStoreException.class,
                () -> thirdAsJava.read("/local/domain/1/data/link"));
            assertTrue(denied.is(XenStoreError.EACCES), denied.getMessage());
        }
    }

    @Test
    void xenstoreWatchSeesChangesMadeByOurClient() throws Exception
    {
        final Process watch = XenTools.start(dom0Socket, "xenstore-watch", "-n", "2", "/watched");
        try
        {
            final BufferedReader events = new BufferedReader(
                new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8));
            // xenstore-watch prints (and flushes) the event that fires on registration: the watch is set.
            assertEquals("/watched", events.readLine());
            dom0.write("/watched/node", "v");
            assertEquals("/watched/node", events.readLine());
            assertTrue(watch.waitFor(20, TimeUnit.SECONDS), "xenstore-watch -n 2 exits after two events");
        }
        finally
        {
            watch.destroyForcibly();
        }
    }

    @Test
    void xensOwnTestSuitePassesAsDom0AndAsADomain() throws Exception
    {
        final String testXenstore = XenTools.testXenstore().toString();
        final XenTools.Result asDom0 = XenTools.run(dom0Socket, testXenstore).ok();
        assertTrue(asDom0.out().contains("ta err"), asDom0.out());
        XenTools.run(domain(6, "six"), testXenstore, "-i", "3").ok();
        assertEquals(List.of("name", "domid"), dom0.directory("/local/domain/6"), "test-xenstore cleaned up");
    }
}
