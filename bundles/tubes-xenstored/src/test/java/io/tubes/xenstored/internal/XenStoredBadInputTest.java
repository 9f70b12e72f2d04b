package io.tubes.xenstored.internal;

import static io.tubes.xenstore.wire.XsMessageType.GET_PERMS;
import static io.tubes.xenstore.wire.XsMessageType.READ;
import static io.tubes.xenstore.wire.XsMessageType.SET_PERMS;
import static io.tubes.xenstore.wire.XsMessageType.WATCH;
import static io.tubes.xenstore.wire.XsMessageType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.wire.XsHeader;
import io.tubes.xenstore.wire.XsPayload;

/**
 * Every kind of bad input gets Xen's error, or closes only the offending connection; after each,
 * a well-behaved connection still gets correct answers.
 */
class XenStoredBadInputTest
{
    @TempDir
    Path dir;

    private Server server;
    private RawConnection good;

    @BeforeEach
    void start() throws IOException
    {
        server = Server.start(dir);
        good = new RawConnection(Server.dom0Socket(dir));
        good.write("/canary", "alive");
    }

    @AfterEach
    void stop() throws IOException
    {
        assertEquals("alive", good.call(READ, "/canary").text(), "the well-behaved connection goes on");
        good.close();
        server.stop();
    }

    private RawConnection bad() throws IOException
    {
        return new RawConnection(Server.dom0Socket(dir));
    }

    private static void assertClosedByServer(final RawConnection connection)
    {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(EOFException.class, connection::read));
    }

    @Test
    void oversizedLengthClosesOnlyThatConnection() throws IOException
    {
        try (RawConnection bad = bad())
        {
            bad.send(READ.code(), 1, 0, XsHeader.PAYLOAD_MAX + 1, new byte[0]);
            assertClosedByServer(bad);
        }
        try (RawConnection bad = bad())
        {
            bad.send(READ.code(), 1, 0, 0xFFFF_FFFFL, new byte[0]);
            assertClosedByServer(bad);
        }
    }

    @Test
    void unknownTypesGetEnosys() throws IOException
    {
        try (RawConnection bad = bad())
        {
            for (final int type : new int[] {20, 23, 15, 16, 999, -1})
            {
                bad.send(type, 5, 0, 2, new byte[] {'x', 0});
                assertTrue(bad.read().isError("ENOSYS"), "type " + type);
            }
        }
    }

    @Test
    void payloadsOfTheWrongShapeGetEinval() throws IOException
    {
        try (RawConnection bad = bad())
        {
            assertTrue(bad.call(READ, 0, "/canary".getBytes()).isError("EINVAL"), "no NUL");
            assertTrue(bad.call(READ, 0, "/can\0ary\0".getBytes()).isError("EINVAL"), "two strings");
            assertTrue(bad.call(READ, 0, new byte[0]).isError("EINVAL"), "empty");
            assertTrue(bad.call(WRITE, 0, "/no-terminator".getBytes()).isError("EINVAL"));
            assertTrue(bad.call(WATCH, 0, XsPayload.strings("/only-path")).isError("EINVAL"));
        }
    }

    @Test
    void invalidPathsGetEinval() throws IOException
    {
        try (RawConnection bad = bad())
        {
            for (final String path : List.of("/a//b", "/a/", "/a b", "/ü", "/x\u0001", "/" + "p".repeat(3000)))
            {
                assertTrue(bad.call(READ, 0, XsPayload.strings(path)).isError("EINVAL"), path);
            }
        }
    }

    @Test
    void invalidPermissionsGetEinval() throws IOException
    {
        try (RawConnection bad = bad())
        {
            for (final String perm : List.of("x0", "b", "r-1", "b99999999", "bfoo", ""))
            {
                assertTrue(bad.call(SET_PERMS, "/canary", perm).isError("EINVAL"), perm);
            }
            assertEquals(List.of("n0"), bad.call(GET_PERMS, "/canary").strings());
        }
    }

    @Test
    void aFrameCutOffMidwayOnlyEndsItsOwnConnection() throws IOException
    {
        try (RawConnection bad = bad())
        {
            bad.send(READ.code(), 1, 0, 100, "/canary".getBytes());
            assertEquals("alive", good.call(READ, "/canary").text());
            bad.channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        assertEquals("alive", good.call(READ, "/canary").text());
    }

    @Test
    void aClientThatNeverReadsIsThrottledThenDroppedWhileOthersGoOn() throws IOException
    {
        try (RawConnection slow = bad())
        {
            slow.call(WATCH, "/canary", "flood");
            slow.channel.configureBlocking(false);
            final byte[] request = frame(READ.code(), XsPayload.strings("/canary"));
            // Requests pile up unread on the server side once its replies are not taken.
            final ByteBuffer many = ByteBuffer.allocate(request.length * 20_000);
            for (int i = 0; i < 20_000; i++)
            {
                many.put(request);
            }
            many.flip();
            slow.channel.write(many);
            // Events for the slow client keep coming; past the bound its connection is closed.
            for (int i = 0; i < 40_000 && server.connectionCount() > 1; i++)
            {
                good.write("/canary", "alive");
            }
            assertEquals(1, server.connectionCount(), "only the well-behaved connection remains");
        }
    }

    @Test
    void thousandsOfConnectionsAreServed() throws IOException
    {
        final List<RawConnection> many = new ArrayList<>();
        try
        {
            for (int i = 0; i < 2_000; i++)
            {
                many.add(bad());
            }
            for (final RawConnection connection : many)
            {
                assertEquals("alive", connection.call(READ, "/canary").text());
            }
        }
        finally
        {
            for (final RawConnection connection : many)
            {
                connection.close();
            }
        }
    }

    private static byte[] frame(final int type, final byte[] payload)
    {
        final ByteBuffer frame = ByteBuffer.allocate(XsHeader.SIZE + payload.length);
        XsHeader.write(frame, type, 1, 0, payload.length);
        return frame.put(payload).array();
    }
}
