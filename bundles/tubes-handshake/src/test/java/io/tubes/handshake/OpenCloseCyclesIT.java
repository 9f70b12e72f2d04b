package io.tubes.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.GrantTable;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeWriter;

/**
 * Tubes opened, used and closed over and over between two domains leave nothing behind: grants,
 * mappings, ports, XenStore nodes, threads and file descriptors are where they were after the first
 * cycles, however many follow ({@code -Dtube.cycles=N}, 10,000 by default).
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OpenCloseCyclesIT
{
    private static final int CYCLES = Integer.getInteger("tube.cycles", 10_000);
    private static final int WARM_UP = 100;

    @TempDir
    Path dir;

    @Test
    void tenThousandOpenUseCloseCyclesGrowNothing() throws Exception
    {
        try (SimDomains host = new SimDomains(dir))
        {
            final SimDomains.Domain web = host.join("web");
            final SimDomains.Domain db = host.join("db");
            long[] baseline = null;
            final long started = System.nanoTime();
            for (int cycle = 0; cycle < CYCLES; cycle++)
            {
                final CompletableFuture<Tube> accepted = CompletableFuture.supplyAsync(() -> accept(db));
                final Tube nock = web.tubes().open(TubeOptions.to("db"));
                final Tube tip = accepted.get(10, TimeUnit.SECONDS);
                try (TubeWriter out = nock.writer(); TubeReader in = tip.reader())
                {
                    out.send(ByteBuffer.allocate(100).putInt(0, cycle));
                    final ByteBuffer got = ByteBuffer.allocate(100);
                    in.receive(got);
                    assertEquals(cycle, got.getInt(0));
                }
                (cycle % 2 == 0 ? nock : tip).close();
                (cycle % 2 == 0 ? tip : nock).closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (cycle + 1 == WARM_UP)
                {
                    baseline = counts(host, web, db);
                }
            }
            final long[] after = counts(host, web, db);
            System.out.printf("%d open/use/close cycles in %.1f s%n", CYCLES, (System.nanoTime() - started) / 1e9);
            assertEquals(0, after[0], "no grant, mapping or port is held");
            assertEquals(baseline[1], after[1], "XenStore nodes under the domains' data");
            assertEquals(baseline[2], after[2], "threads named for Tubes");
            assertTrue(after[3] <= baseline[3] + 2, "file descriptors: " + baseline[3] + " then " + after[3]);
        }
    }

    /** Held grants, mappings and ports; nodes; Tubes threads; open file descriptors of this process. */
    private static long[] counts(final SimDomains host, final SimDomains.Domain... domains) throws Exception
    {
        long held = 0;
        for (final SimDomains.Domain domain : domains)
        {
            final GrantTable.Counts counts = domain.counts();
            held += counts.grants() + counts.mappings() + counts.ports();
        }
        final long threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("tubes")).count();
        return new long[] {held, host.dataNodes().size(), threads, fileDescriptors()};
    }

    private static long fileDescriptors() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    private static Tube accept(final SimDomains.Domain domain)
    {
        try
        {
            return domain.tubes().accept(AcceptOptions.any());
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
