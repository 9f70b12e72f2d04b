package io.tubes.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.tubes.driver.sim.SimXenDriver;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEngines;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeOptions;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * The handshake on the simulated host: open-to-connected beside one XenStore round trip of the same
 * run, 100 opens at once, how many tubes one pair holds within Xen's default quotas and what each
 * costs in memory; and bytes per second through {@code bin/tubes} beside the same pipe through a
 * TCP loopback connection, both between two fresh JVMs.
 */
public final class HandshakeBench
{
    /** Enough that both pipes' JVM start-ups (half a second for bin/tubes, which joins a host) weigh little. */
    private static final int PIPE_MIB = Integer.getInteger("pipe.mib", 2048);
    private static final int PIPE_RUNS = 3;

    private HandshakeBench()
    {
    }

    /** One domain of the host, in this process. */
    private record Domain(SimXenDriver driver, XenStoreConnection xs, TubeEngine tubes) implements AutoCloseable
    {
        static Domain join(final HostLayout layout, final String name) throws IOException
        {
            final SimXenDriver driver = SimXenDriver.join(layout, name);
            final XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(driver.xenstorePath())));
            return new Domain(driver, xs, TubeEngines.start(xs, driver));
        }

        @Override
        public void close() throws IOException
        {
            tubes.close();
            xs.close();
            driver.close();
        }
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "--tcp".equals(args[0]))
        {
            tcpPipe(args[1], Integer.parseInt(args[2]));
            return;
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        final int opens = Arrays.stream(args).mapToInt(Integer::parseInt).findFirst().orElse(2000);
        final Path dir = Files.createTempDirectory("tubes-handshake-bench");
        final List<String> table = new ArrayList<>();
        final double roundTripUs;
        final double p50Us;
        try (SimHost host = SimHost.start(new HostLayout(dir));
             Domain web = Domain.join(host.layout(), "web");
             Domain db = Domain.join(host.layout(), "db"))
        {
            final BlockingQueue<Tube> accepted = acceptForever(db);
            roundTripUs = xenstoreRoundTripUs(web.xs());
            final long[] samples = new long[opens];
            for (int i = 0; i < opens; i++)
            {
                final long t0 = System.nanoTime();
                final Tube tube = web.tubes().open(TubeOptions.to("db"));
                samples[i] = System.nanoTime() - t0;
                tube.close();
                accepted.take().closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            Arrays.sort(samples);
            p50Us = samples[opens / 2] / 1e3;
            final double p99Us = samples[opens * 99 / 100] / 1e3;
            table.add(String.format(Locale.ROOT, "open-to-connected (%d opens, each closed): p50 %.0f us, p99 %.0f us;"
                + " one XenStore round trip (a read) %.1f us", opens, p50Us, p99Us, roundTripUs));

            final ExecutorService openers = Executors.newFixedThreadPool(100);
            final long t0 = System.nanoTime();
            final List<CompletableFuture<Tube>> hundred = new ArrayList<>();
            for (int i = 0; i < 100; i++)
            {
                hundred.add(CompletableFuture.supplyAsync(() -> open(web), openers));
            }
            final List<Tube> opened = new ArrayList<>();
            for (final CompletableFuture<Tube> each : hundred)
            {
                opened.add(each.get(60, TimeUnit.SECONDS));
            }
            final double allMs = (System.nanoTime() - t0) / 1e6;
            openers.shutdown();
            table.add(String.format(Locale.ROOT, "100 tubes opened at once: all connected in %.0f ms", allMs));
            closeAll(opened, accepted);

            final long heapBefore = heapUsed();
            final int nodesBefore = nodes(host, web, db);
            final List<Tube> held = new ArrayList<>();
            String stopped = "";
            while (true)
            {
                try
                {
                    held.add(web.tubes().open(TubeOptions.to("db")));
                }
                catch (final TubeException e)
                {
                    stopped = e.getMessage();
                    break;
                }
            }
            final int nodesPerTube = (nodes(host, web, db) - nodesBefore) / held.size();
            final long heapPerTube = (heapUsed() - heapBefore) / held.size();
            final int ringPages = 2 * (1 + AcceptOptions.DEFAULT_RING_SIZE / 4096);
            table.add(String.format(Locale.ROOT, "tubes one pair holds within Xen's default quotas: %d (then: %s)",
                held.size(), stopped.length() > 100 ? stopped.substring(0, 100) + "..." : stopped));
            table.add(String.format(Locale.ROOT, "per tube: %d XenStore nodes (both ends), %d KiB of Java heap (both"
                + " ends), %d KiB of granted pages (two rings of 64 KiB and their control pages)", nodesPerTube,
                heapPerTube / 1024, ringPages * 4));
            closeAll(held, accepted);
        }
        final double[] pipes = pipes(dir);
        table.add(String.format(Locale.ROOT, "%d MiB through bin/tubes (open | accept, two JVMs): %.0f MB/s; the same"
            + " through TCP loopback (two JVMs): %.0f MB/s", PIPE_MIB, pipes[0], pipes[1]));
        table.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "ratios: open-to-connected p50 / XenStore round trip %.1f (target <= 40),"
            + " p50 %.2f ms (target <= 2); bin/tubes / TCP %.2f (target >= 2)%n", p50Us / roundTripUs, p50Us / 1e3,
            pipes[0] / pipes[1]);
    }

    private static Tube open(final Domain web)
    {
        try
        {
            return web.tubes().open(TubeOptions.to("db"));
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts every tube that comes, on a thread of its own, into the queue. */
    private static BlockingQueue<Tube> acceptForever(final Domain db)
    {
        final BlockingQueue<Tube> accepted = new LinkedBlockingQueue<>();
        final Thread acceptor = new Thread(() ->
        {
            try
            {
                while (true)
                {
                    accepted.add(db.tubes().accept(AcceptOptions.any().withTimeout(java.time.Duration.ofHours(1))));
                }
            }
            catch (final Exception e)
            {
                // the engine closed
            }
        }, "bench-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return accepted;
    }

    /** Closes the nocks, then waits for as many accepted tips (in whatever order they came) to close. */
    private static void closeAll(final List<Tube> nocks, final BlockingQueue<Tube> accepted) throws Exception
    {
        for (final Tube tube : nocks)
        {
            tube.close();
        }
        for (int i = 0; i < nocks.size(); i++)
        {
            accepted.take().closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static double xenstoreRoundTripUs(final XenStoreConnection xs) throws IOException
    {
        final int reads = 20_000;
        final long[] samples = new long[reads];
        for (int i = 0; i < reads; i++)
        {
            final long t0 = System.nanoTime();
            xs.read("name");
            samples[i] = System.nanoTime() - t0;
        }
        Arrays.sort(samples);
        return samples[reads / 2] / 1e3;
    }

    private static int nodes(final SimHost host, final Domain... domains)
    {
        int nodes = 0;
        for (final String line : host.status())
        {
            final int at = line.indexOf(": nodes ");
            if (at > 0 && Arrays.stream(domains).anyMatch(d -> line.startsWith("domain " + d.driver().domid() + " ")))
            {
                nodes += Integer.parseInt(line.substring(at + 8, line.indexOf(',', at)));
            }
        }
        return nodes;
    }

    private static long heapUsed() throws InterruptedException
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** MB/s through bin/tubes and through TCP, the median of three runs each, taking turns. */
    private static double[] pipes(final Path dir) throws Exception
    {
        final Path tubes = Path.of("karaf-assembly/target/assembly/bin/tubes").toAbsolutePath();
        // In memory where it can be: the pipes, not the disk, are measured.
        final Path shm = Path.of("/dev/shm");
        final Path input = Files.createTempFile(Files.isDirectory(shm) ? shm : dir, "tubes-pipe", ".bin");
        try (OutputStream out = Files.newOutputStream(input))
        {
            final byte[] chunk = new byte[1 << 20];
            new Random(1).nextBytes(chunk);
            for (int i = 0; i < PIPE_MIB; i++)
            {
                out.write(chunk);
            }
        }
        final Path hostDir = dir.resolve("pipe-host");
        final double[] tube = new double[PIPE_RUNS];
        final double[] tcp = new double[PIPE_RUNS];
        try (SimHost host = SimHost.start(new HostLayout(hostDir)))
        {
            for (int run = 0; run < PIPE_RUNS; run++)
            {
                final String sink = "sink" + run;
                tube[run] = mbPerSecond(input,
                    List.of(tubes.toString(), "accept", "--name", sink, "--host-dir", hostDir.toString()),
                    List.of(tubes.toString(), "open", sink, "--name", "source" + run, "--host-dir",
                        hostDir.toString()));
                final int port = freePort();
                final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                final String cp = System.getProperty("java.class.path");
                tcp[run] = mbPerSecond(input,
                    List.of(java, "-cp", cp, HandshakeBench.class.getName(), "--tcp", "listen", Integer.toString(port)),
                    List.of(java, "-cp", cp, HandshakeBench.class.getName(), "--tcp", "connect",
                        Integer.toString(port)));
            }
        }
        finally
        {
            Files.delete(input);
        }
        Arrays.sort(tube);
        Arrays.sort(tcp);
        return new double[] {tube[PIPE_RUNS / 2], tcp[PIPE_RUNS / 2]};
    }

    /** Starts the receiver (output discarded), then the sender with {@code input}; MB/s until both ended. */
    private static double mbPerSecond(final Path input, final List<String> receiver, final List<String> sender)
        throws Exception
    {
        final long t0 = System.nanoTime();
        final Process in = new ProcessBuilder(receiver).redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final Process out = new ProcessBuilder(sender).redirectInput(input.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            if (!out.waitFor(300, TimeUnit.SECONDS) || !in.waitFor(60, TimeUnit.SECONDS) || out.exitValue() != 0
                || in.exitValue() != 0)
            {
                throw new IOException("the pipe " + sender + " | " + receiver + " failed");
            }
        }
        finally
        {
            in.destroyForcibly();
            out.destroyForcibly();
        }
        return Files.size(input) / ((System.nanoTime() - t0) / 1e9) / 1e6;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /** The TCP side of the pipe: "listen" copies the connection to standard output, "connect" standard input to it. */
    private static void tcpPipe(final String role, final int port) throws IOException, InterruptedException
    {
        if ("listen".equals(role))
        {
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 Socket socket = server.accept())
            {
                copy(socket.getInputStream(), System.out);
            }
            return;
        }
        for (int attempt = 0; ; attempt++)
        {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port))
            {
                copy(System.in, socket.getOutputStream());
                return;
            }
            catch (final IOException e)
            {
                if (attempt > 200)
                {
                    throw e;
                }
                Thread.sleep(10); // the listener's JVM is still starting
            }
        }
    }

    private static void copy(final InputStream from, final OutputStream to) throws IOException
    {
        final byte[] buffer = new byte[64 * 1024];
        for (int n = from.read(buffer); n >= 0; n = from.read(buffer))
        {
            to.write(buffer, 0, n);
        }
        to.flush();
    }
}
