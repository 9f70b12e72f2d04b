package io.tubes.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeService;
import io.tubes.tube.TubeWriter;

/**
 * {@code tube:transfer}: sends a counted pattern through a tube to a peer that echoes it (the example
 * consumer does), checks every byte that comes back, and prints the throughput; or does the same
 * over TCP to an echo server, as the baseline.
 */
@Command(scope = "tube", name = "transfer",
    description = "Sends MiB of a counted pattern through a tube (or --tcp HOST:PORT) to an echo, checks every byte"
        + " that comes back, and prints progress and the throughput")
@Service
public class TubeTransferCommand implements Action
{

    @Reference
    TubeService tubes;

    @Argument(index = 0, name = "tube", description = Tubes.NAMING + "; not with --tcp")
    @Completion(TubeIdCompleter.class)
    String name;

    @Option(name = "-m", aliases = "--mib", description = "How many MiB to send (default 64)")
    long mib = 64;

    @Option(name = "-c", aliases = "--chunk", description = "Bytes per write, a multiple of 8 (default 16384)")
    int chunk = 16 * 1024;

    @Option(name = "--tcp", description = "Send to the TCP echo at HOST:PORT instead of a tube")
    String tcp;

    @Option(name = "-q", aliases = "--quiet", description = "Print the result line only, no progress")
    boolean quiet;

    @Override
    public Object execute() throws Exception
    {
        if (chunk <= 0 || chunk % 8 != 0)
        {
            throw new IllegalArgumentException("--chunk is a positive multiple of 8, not " + chunk);
        }
        final long total = mib * 1024 * 1024;
        final long started = System.nanoTime();
        final String what;
        if (tcp != null)
        {
            what = "TCP to " + tcp;
            overTcp(total);
        }
        else if (name != null)
        {
            final Tube tube = Tubes.connected(tubes, name);
            what = "tube " + tube.id();
            throughTube(tube, total);
        }
        else
        {
            throw new IllegalArgumentException("name a tube (PEER/INDEX), or give --tcp HOST:PORT");
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%s: %d MiB there and back, every byte checked, in %.2f s: %.0f MB/s each way%n", what, mib,
            seconds, total / seconds / 1e6);
        return null;
    }

    private void throughTube(final Tube tube, final long total) throws Exception
    {
        try (TubeWriter out = tube.writer(); TubeReader in = tube.reader())
        {
            final CompletableFuture<Void> sent = CompletableFuture.runAsync(() ->
            {
                final ByteBuffer buffer = ByteBuffer.allocateDirect(chunk);
                try
                {
                    for (long at = 0; at < total; at += chunk)
                    {
                        fill(buffer, at, (int) Math.min(chunk, total - at));
                        out.send(buffer);
                    }
                }
                catch (final IOException | InterruptedException e)
                {
                    throw new IllegalStateException("sending failed: " + e.getMessage(), e);
                }
            });
            final ByteBuffer back = ByteBuffer.allocateDirect(tube.ringSize());
            final Progress progress = new Progress(total);
            for (long at = 0; at < total; )
            {
                back.clear();
                final int length = in.receive(back, 10, TimeUnit.SECONDS);
                if (length < 0)
                {
                    throw new IllegalStateException(length == TubeReader.END ? "the peer closed the tube after "
                        + at + " bytes came back"
                        : "nothing came back for 10 s after " + at + " bytes: does the peer echo?");
                }
                back.flip();
                at = check(back, at);
                progress.at(at);
            }
            sent.get(10, TimeUnit.SECONDS);
        }
    }

    private void overTcp(final long total) throws Exception
    {
        final int colon = tcp.lastIndexOf(':');
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(tcp.substring(0, colon), Integer.parseInt(tcp.substring(colon + 1))),
                5_000);
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            final CompletableFuture<Void> sent = CompletableFuture.runAsync(() ->
            {
                final ByteBuffer buffer = ByteBuffer.allocate(chunk);
                try
                {
                    for (long at = 0; at < total; at += chunk)
                    {
                        fill(buffer, at, (int) Math.min(chunk, total - at));
                        out.write(buffer.array(), 0, buffer.limit());
                    }
                    socket.shutdownOutput();
                }
                catch (final IOException e)
                {
                    throw new IllegalStateException("sending failed: " + e.getMessage(), e);
                }
            });
            final byte[] back = new byte[chunk];
            final Progress progress = new Progress(total);
            for (long at = 0; at < total; )
            {
                final int length = in.read(back);
                if (length < 0)
                {
                    throw new IllegalStateException("the TCP echo ended after " + at + " bytes came back");
                }
                at = check(ByteBuffer.wrap(back, 0, length), at);
                progress.at(at);
            }
            sent.get(10, TimeUnit.SECONDS);
        }
    }

    /** The pattern, a word per 8 bytes from the word's position, so that a lost or repeated chunk shows. */
    private static long word(final long index)
    {
        return index * 0x9E3779B97F4A7C15L ^ index >>> 7;
    }

    /** The byte at {@code position} of the pattern, little-endian within its word. */
    private static byte expected(final long position)
    {
        return (byte) (word(position >>> 3) >>> ((position & 7) * 8));
    }

    /** Fills {@code chunk} with the pattern from {@code from} on, a multiple of 8, for {@code length} bytes. */
    private static void fill(final ByteBuffer chunk, final long from, final int length)
    {
        chunk.clear().limit(length);
        chunk.order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            chunk.putLong(i, word((from + i) >>> 3));
        }
        for (; i < length; i++)
        {
            chunk.put(i, expected(from + i));
        }
    }

    /** Checks what came back from {@code at} on, a word at a time where aligned; the position after it. */
    private static long check(final ByteBuffer back, final long at)
    {
        back.order(ByteOrder.LITTLE_ENDIAN);
        long position = at;
        while (back.hasRemaining())
        {
            if ((position & 7) == 0 && back.remaining() >= 8)
            {
                if (back.getLong() != word(position >>> 3))
                {
                    back.position(back.position() - 8);
                    checkBytes(back, position, 8);
                }
                position += 8;
            }
            else
            {
                checkBytes(back, position, 1);
                position++;
            }
        }
        return position;
    }

    private static void checkBytes(final ByteBuffer back, final long from, final int count)
    {
        for (long position = from; position < from + count; position++)
        {
            final byte got = back.get();
            if (got != expected(position))
            {
                throw new IllegalStateException("byte " + position + " came back as " + got + ", not "
                    + expected(position));
            }
        }
    }

    /** A line every tenth of the way. */
    private final class Progress
    {
        private final long total;
        private long next;

        Progress(final long total)
        {
            this.total = total;
            this.next = total / 10;
        }

        void at(final long position)
        {
            if (!quiet && position >= next && position < total)
            {
                System.out.printf("  %3d%% (%d MiB)%n", position * 100 / total, position >> 20);
                next += total / 10;
            }
        }
    }
}
