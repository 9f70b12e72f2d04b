package io.tubes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.cli.internal.TubesMain;
import io.tubes.driver.GrantTable;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEngines;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeClosedException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeWriter;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * A tube between this process and a peer that is a process of its own ({@code tubes accept}), killed
 * with SIGKILL in the middle of a stream: this side's tube closes within a second, saying the peer
 * is gone, and frees everything it held.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeerProcessIT
{
    @TempDir
    Path dir;
    private SimHost host;
    private SimXenDriver web;
    private XenStoreConnection xs;
    private TubeEngine tubes;
    private final List<Process> peers = new ArrayList<>();

    @BeforeEach
    void hostAndDomain() throws Exception
    {
        host = SimHost.start(new HostLayout(dir));
        web = SimXenDriver.join(host.layout(), "web");
        xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(web.xenstorePath())));
        tubes = TubeEngines.start(xs, web);
    }

    @AfterEach
    void stopAll() throws Exception
    {
        for (final Process peer : peers)
        {
            peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (final AutoCloseable made : new AutoCloseable[] {tubes, xs, web, host})
        {
            if (made != null)
            {
                made.close();
            }
        }
    }

    @Test
    void aPeerKilledMidStreamClosesTheTubeWithinASecondAndEverythingIsFreed() throws Exception
    {
        final Process peer = peer("accept", "--name", "db");
        final AtomicLong received = new AtomicLong();
        CompletableFuture.runAsync(() -> drain(peer.getInputStream(), received));
        final Tube tube = tubes.open(TubeOptions.to("db").withMode(TubeMode.STREAM));
        final CompletableFuture<Exception> streaming = CompletableFuture.supplyAsync(() ->
        {
            try (TubeWriter writer = tube.writer())
            {
                final WritableByteChannel out = writer.channel();
                final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                while (true)
                {
                    out.write(chunk.clear());
                }
            }
            catch (final Exception e)
            {
                return e;
            }
        });
        while (received.get() < 10 * 1024 * 1024)
        {
            Thread.sleep(10);
        }
        final long killed = System.nanoTime();
        peer.destroyForcibly();
        final String reason = tube.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        // The handshake sees db's nodes vanish, or the ring its port disconnected: either says db is gone.
        assertTrue(reason.equals("peer domain " + tube.peer() + " (db) is gone")
            || reason.contains("peer domain " + tube.peer() + " is gone"), reason);
        assertTrue(tookMs < 1000, "closed " + tookMs + " ms after the kill");
        final Exception failed = streaming.get(5, TimeUnit.SECONDS);
        assertTrue(failed instanceof TubeClosedException, failed.toString());
        assertEquals(new GrantTable.Counts(0, 0, 0), web.grantTable().counts());
        assertEquals(List.of(), xs.directory("data/nock"), "web's nock directories are gone");
    }

    /** A peer domain: {@code tubes} in a process of its own, on this host. */
    private Process peer(final String... args) throws Exception
    {
        final List<String> line = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-cp", System.getProperty("java.class.path"), TubesMain.class.getName()));
        line.addAll(List.of(args));
        line.addAll(List.of("--host-dir", dir.toString()));
        final Process process = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        peers.add(process);
        return process;
    }

    private static void drain(final InputStream in, final AtomicLong received)
    {
        final byte[] buffer = new byte[64 * 1024];
        try
        {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                received.addAndGet(n);
            }
        }
        catch (final Exception e)
        {
            // the process was killed
        }
    }
}
