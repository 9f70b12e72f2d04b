package io.tubes.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstore.wire.XsHeader;
import io.tubes.xenstore.wire.XsMessageType;
import io.tubes.xenstore.wire.XsPayload;
import io.tubes.xenstored.XenStored;

/**
 * XenStore through our client and server: reads, writes and watch-event latency, beside two
 * baselines from the same run: a bare Unix-socket echo of the same frames (the floor for any
 * request/reply over a socket), and Xen's own C client (libxenstore, through test-xenstore) against
 * the same server.
 *
 * <p>Usage: {@code benchmarks/run-xenstore [ops]}.
 */
public final class XenStoreBench
{
    private static final String NODE = "/bench/node";

    private XenStoreBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int ops = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        final Path dir = Files.createTempDirectory("tubes-bench");
        final List<String[]> rows = new ArrayList<>();
        try (XenStored xenstored = XenStored.start(dir.resolve("xs"));
             XenStoreConnection client = XenStoreClients.connect(XenStoreAddress.of(xenstored.dom0Socket()));
             XenStoreConnection watcher = XenStoreClients.connect(XenStoreAddress.of(xenstored.dom0Socket())))
        {
            client.write(NODE, "a");
            final byte[] value = {'a'};
            measure(ops / 5, () -> client.read(NODE)); // warm-up
            final Stats read = measure(ops, () -> client.read(NODE));
            final Stats write = measure(ops, () -> client.write(NODE, value));
            final double pipelined = pipelinedReads(client, ops, 8);
            final Stats watch = watchLatency(client, watcher, ops / 5);
            final Stats echo = echoBaseline(dir.resolve("echo.sock"), ops);
            final Path testXenstore = Path.of(args.length > 1 ? args[1] : ".tools/xen-utils-4.17/usr/lib/xen-4.17/bin/test-xenstore");
            final double cRead = libxenstore(testXenstore, xenstored.dom0Socket(), "read 1", ops / 5);
            final double cWrite = libxenstore(testXenstore, xenstored.dom0Socket(), "write 1", ops / 5);

            rows.add(row("read 1 B (1 thread)", read));
            rows.add(row("write 1 B (1 thread)", write));
            rows.add(new String[] {"read 1 B (8 threads, one connection)", fmt(pipelined), "-", "-"});
            rows.add(row("watch event: write -> listener", watch));
            rows.add(row("baseline: Unix-socket echo, same frames", echo));
            rows.add(new String[] {"baseline: libxenstore read 1 B (test-xenstore)", fmt(1e9 / cRead),
                fmt(cRead / 1000), "-"});
            rows.add(new String[] {"baseline: libxenstore write 1 B (test-xenstore)", fmt(1e9 / cWrite),
                fmt(cWrite / 1000), "-"});
            System.out.printf(Locale.ROOT, "%-48s %12s %10s %10s%n", "operation", "ops/s", "p50 us", "p99 us");
            for (final String[] r : rows)
            {
                System.out.printf(Locale.ROOT, "%-48s %12s %10s %10s%n", (Object[]) r);
            }
            System.out.printf(Locale.ROOT,
                "ratios: read/echo-rtt %.2fx (latency), read java/libxenstore %.2fx (latency), "
                    + "write java/libxenstore %.2fx (latency), 8-thread/1-thread reads %.2fx (throughput)%n",
                read.p50Ns / echo.p50Ns, read.meanNs / cRead, write.meanNs / cWrite, pipelined / read.opsPerSec);
        }
        finally
        {
            try (var files = Files.walk(dir))
            {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One timed operation. */
    @FunctionalInterface
    private interface Op
    {
        void run() throws Exception;
    }

    /** Rate and per-operation latency percentiles. */
    private record Stats(double opsPerSec, double meanNs, double p50Ns, double p99Ns)
    {
    }

    private static Stats measure(final int ops, final Op op) throws Exception
    {
        final long[] samples = new long[ops];
        final long start = System.nanoTime();
        for (int i = 0; i < ops; i++)
        {
            final long t0 = System.nanoTime();
            op.run();
            samples[i] = System.nanoTime() - t0;
        }
        return stats(samples, System.nanoTime() - start);
    }

    private static Stats stats(final long[] samples, final long totalNs)
    {
        Arrays.sort(samples);
        return new Stats(samples.length * 1e9 / totalNs, (double) totalNs / samples.length,
            samples[samples.length / 2], samples[(int) (samples.length * 0.99)]);
    }

    private static double pipelinedReads(final XenStoreConnection client, final int ops, final int threads)
        throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            final long start = System.nanoTime();
            for (int t = 0; t < threads; t++)
            {
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < ops / threads; i++)
                    {
                        client.read(NODE);
                    }
                    return null;
                }));
            }
            for (final Future<?> future : done)
            {
                future.get();
            }
            return (ops / threads) * threads * 1e9 / (System.nanoTime() - start);
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static Stats watchLatency(final XenStoreConnection writer, final XenStoreConnection watcher, final int events)
        throws Exception
    {
        final BlockingQueue<Long> seen = new ArrayBlockingQueue<>(16);
        try (Watch watch = watcher.watch("/bench/watched", path -> seen.add(System.nanoTime())))
        {
            seen.take(); // the event on registration
            final long[] samples = new long[events];
            final long start = System.nanoTime();
            for (int i = 0; i < events; i++)
            {
                final long t0 = System.nanoTime();
                writer.write("/bench/watched", "x");
                samples[i] = seen.take() - t0;
            }
            return stats(samples, System.nanoTime() - start);
        }
    }

    /** The same request and reply frames as a 1-byte read, echoed by a bare blocking socket server. */
    private static Stats echoBaseline(final Path socket, final int ops) throws Exception
    {
        final byte[] request = XsPayload.strings(NODE);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(socket));
            final Thread echo = new Thread(() ->
            {
                try (SocketChannel peer = server.accept())
                {
                    final ByteBuffer in = ByteBuffer.allocate(XsHeader.SIZE + request.length);
                    final ByteBuffer out = ByteBuffer.allocate(XsHeader.SIZE + 1).order(ByteOrder.LITTLE_ENDIAN);
                    XsHeader.write(out, XsMessageType.READ.code(), 1, 0, 1);
                    out.put((byte) 'a');
                    while (true)
                    {
                        in.clear();
                        while (in.hasRemaining())
                        {
                            if (peer.read(in) < 0)
                            {
                                return;
                            }
                        }
                        out.flip();
                        while (out.hasRemaining())
                        {
                            peer.write(out);
                        }
                        out.limit(out.capacity());
                    }
                }
                catch (final IOException e)
                {
                    // the benchmark closed its end
                }
            }, "echo");
            echo.start();
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
            {
                final ByteBuffer out = ByteBuffer.allocate(XsHeader.SIZE + request.length).order(ByteOrder.LITTLE_ENDIAN);
                XsHeader.write(out, XsMessageType.READ.code(), 1, 0, request.length);
                out.put(request);
                final ByteBuffer in = ByteBuffer.allocate(XsHeader.SIZE + 1);
                final Op roundTrip = () ->
                {
                    out.flip();
                    while (out.hasRemaining())
                    {
                        channel.write(out);
                    }
                    out.limit(out.capacity());
                    in.clear();
                    while (in.hasRemaining())
                    {
                        channel.read(in);
                    }
                };
                measure(ops / 5, roundTrip);
                return measure(ops, roundTrip);
            }
            finally
            {
                echo.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
    }

    /** Mean ns per operation of Xen's C client, from test-xenstore's own report. */
    private static double libxenstore(final Path testXenstore, final Path socket, final String test,
        final int iterations) throws IOException, InterruptedException
    {
        if (!Files.isExecutable(testXenstore))
        {
            throw new IOException(testXenstore + " not found: run .ci/install-tools first");
        }
        final ProcessBuilder builder = new ProcessBuilder(testXenstore.toString(), "-t", test, "-i",
            Integer.toString(iterations));
        builder.environment().put("XENSTORED_PATH", socket.toString());
        final Process process = builder.start();
        try
        {
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            final Matcher m = Pattern.compile("avg: (\\d+) ns").matcher(out);
            if (!m.find())
            {
                throw new IOException("test-xenstore did not report an average: " + out);
            }
            return Double.parseDouble(m.group(1));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static String[] row(final String name, final Stats s)
    {
        return new String[] {name, fmt(s.opsPerSec), fmt(s.p50Ns / 1000), fmt(s.p99Ns / 1000)};
    }

    private static String fmt(final double value)
    {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
