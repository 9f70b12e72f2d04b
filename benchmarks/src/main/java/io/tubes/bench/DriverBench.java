package io.tubes.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * The simulated host's driver between two processes: event-channel round trips (notify, the peer
 * wakes from its wait and notifies back) beside a Unix-socket ping-pong of one byte with the same
 * peer process, in the same run; and the cost of share + map + unmap + unshare of one page. Both
 * sides stamp when they send and when they wake ({@code System.nanoTime}, the system's monotonic
 * clock, the same in every process), so each one-way latency is measured, not taken as half a
 * round trip, which would count the peer's turnaround too.
 *
 * <p>Usage: {@code benchmarks/run-driver [--low-latency-idle] [--apart] [round-trips]}. With
 * {@code --apart} the peer runs on vCPU 1 ({@code taskset}); the script runs this side on vCPU 0.
 * That is how two domains sit on Xen, and neither mechanism can then put the two threads together.
 */
public final class DriverBench
{
    private static final int BLOCKS = 20;
    private static final String APART = "--apart";

    private DriverBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "--peer".equals(args[0]))
        {
            peer(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        final List<String> options = Arrays.stream(args).filter(a -> a.startsWith("--")).toList();
        final List<String> unknown = options.stream().filter(o -> !o.equals(LowLatencyIdle.OPTION) && !o.equals(APART))
            .toList();
        if (!unknown.isEmpty())
        {
            throw new IllegalArgumentException("unknown option " + unknown + "; usage: benchmarks/run-driver ["
                + LowLatencyIdle.OPTION + "] [" + APART + "] [round-trips]");
        }
        final boolean lowLatencyIdle = options.contains(LowLatencyIdle.OPTION);
        final boolean apart = options.contains(APART);
        final int rounds = Arrays.stream(args).filter(a -> !a.startsWith("--")).mapToInt(Integer::parseInt).findFirst()
            .orElse(100_000);
        final Path dir = Files.createTempDirectory("tubes-driver-bench");
        final HostLayout layout = new HostLayout(dir);
        Process peer = null;
        try (FileChannel idle = lowLatencyIdle ? LowLatencyIdle.hold() : null;
             SimHost host = SimHost.start(layout);
             SimXenDriver self = SimXenDriver.join(layout, "bench");
             EventChannels events = self.openEventChannels())
        {
            final int port = events.bindUnbound(self.domid() + 1);
            final List<String> command = new ArrayList<>(apart ? List.of("taskset", "-c", "1") : List.of());
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), DriverBench.class.getName(), "--peer", dir.toString(),
                Integer.toString(self.domid()), Integer.toString(port), Integer.toString(rounds)));
            peer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final String ready = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
            if (!"ready".equals(ready))
            {
                throw new IOException("the peer domain did not start: " + ready);
            }
            final Stamps evtchn = new Stamps(rounds);
            final Stamps socket = new Stamps(rounds);
            final Stamps peerEvtchn;
            final Stamps peerSocket;
            try (SocketChannel echo = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("echo.sock"))))
            {
                eventRoundTrips(events, port, new Stamps(warmUp(rounds)), 0, warmUp(rounds));
                socketRoundTrips(echo, new Stamps(warmUp(rounds)), 0, warmUp(rounds));
                // Blocks taken in turn, so that both see the same scheduler placements and machine load.
                int from = 0;
                for (final int block : blocks(rounds))
                {
                    eventRoundTrips(events, port, evtchn, from, from + block);
                    socketRoundTrips(echo, socket, from, from + block);
                    from += block;
                }
                peerEvtchn = Stamps.receive(echo, rounds);
                peerSocket = Stamps.receive(echo, rounds);
            }
            peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // before the host goes, which it would report
            final long[] grant = grantCycles(layout, 20_000);

            System.out.println(LowLatencyIdle.describe(lowLatencyIdle));
            System.out.println("placement: " + (apart ? "this side on vCPU 0, the peer on vCPU 1 (" + APART + ")"
                : "as the scheduler likes (see " + APART + ")"));
            System.out.printf(Locale.ROOT, "%-52s %10s %10s%n", "operation (two processes)", "p50 us", "p99 us");
            final long[] evtchnRtt = evtchn.roundTrips();
            final long[] wake = evtchn.oneWay(peerEvtchn);
            final long[] socketRtt = socket.roundTrips();
            final long[] socketOneWay = socket.oneWay(peerSocket);
            print("event channel round trip (notify, wake, notify back)", evtchnRtt);
            print("  notify-to-wake, one way (both ways)", wake);
            print("Unix-socket round trip, 1 byte (baseline)", socketRtt);
            print("  write-to-read, one way (both ways)", socketOneWay);
            print("share + map + unmap + unshare, 1 page", grant);
            System.out.printf(Locale.ROOT, "ratios: evtchn-rtt/socket-rtt %.2fx, wake-p50/socket-rtt-p50 %.2fx "
                + "(target <= 0.50x), wake-p50/socket-one-way-p50 %.2fx%n", ratio(evtchnRtt, socketRtt),
                ratio(wake, socketRtt), ratio(wake, socketOneWay));
        }
        finally
        {
            if (peer != null)
            {
                peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(dir))
            {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void eventRoundTrips(final EventChannels events, final int port, final Stamps stamps,
        final int from, final int to) throws Exception
    {
        for (int i = from; i < to; i++)
        {
            stamps.sent[i] = System.nanoTime();
            events.notify(port);
            if (events.pending(10, TimeUnit.SECONDS) != port)
            {
                throw new IOException("the peer did not answer");
            }
            stamps.woke[i] = System.nanoTime();
            events.unmask(port);
        }
    }

    private static void socketRoundTrips(final SocketChannel channel, final Stamps stamps, final int from,
        final int to) throws IOException
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        for (int i = from; i < to; i++)
        {
            one.clear();
            stamps.sent[i] = System.nanoTime();
            channel.write(one);
            one.clear();
            if (channel.read(one) != 1)
            {
                throw new IOException("the echo peer went away");
            }
            stamps.woke[i] = System.nanoTime();
        }
    }

    /** Two domains in this process: one shares a page, the other maps and unmaps it, then it is unshared. */
    private static long[] grantCycles(final HostLayout layout, final int cycles) throws IOException
    {
        try (SimXenDriver granter = SimXenDriver.join(layout, "granter");
             SimXenDriver grantee = SimXenDriver.join(layout, "grantee"))
        {
            final long[] samples = new long[cycles];
            for (int i = 0; i < cycles; i++)
            {
                final long t0 = System.nanoTime();
                try (SharedPages shared = granter.grantTable().share(grantee.domid(), 1, true, null);
                     MappedPages mapped = grantee.grantTable().map(granter.domid(), shared.refs(), true, null))
                {
                    mapped.buffer().put(0, (byte) 1);
                }
                samples[i] = System.nanoTime() - t0;
            }
            return samples;
        }
    }

    /**
     * The peer domain: answers each notification with one, and echoes bytes on a Unix socket, on one
     * thread that follows the benchmark's schedule of blocks. One thread, so that both mechanisms wake
     * the same thread, wherever the scheduler has put it.
     */
    private static void peer(final Path dir, final int domid, final int remotePort, final int rounds)
        throws Exception
    {
        try (SimXenDriver self = SimXenDriver.join(new HostLayout(dir), "echo");
             EventChannels events = self.openEventChannels();
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            final int port = events.bindInterdomain(domid, remotePort);
            server.bind(UnixDomainSocketAddress.of(dir.resolve("echo.sock")));
            System.out.println("ready");
            System.out.flush();
            try (SocketChannel client = server.accept())
            {
                answerEvents(events, port, new Stamps(warmUp(rounds)), 0, warmUp(rounds));
                echo(client, new Stamps(warmUp(rounds)), 0, warmUp(rounds));
                final Stamps evtchn = new Stamps(rounds);
                final Stamps socket = new Stamps(rounds);
                int from = 0;
                for (final int block : blocks(rounds))
                {
                    answerEvents(events, port, evtchn, from, from + block);
                    echo(client, socket, from, from + block);
                    from += block;
                }
                evtchn.send(client);
                socket.send(client);
            }
        }
    }

    /** Round trips of each kind before measuring. */
    private static int warmUp(final int rounds)
    {
        return rounds / 10;
    }

    /** The sizes of the measured blocks, each taken by one mechanism and then the other: both processes follow them. */
    private static int[] blocks(final int rounds)
    {
        final int block = Math.max(1, rounds / BLOCKS);
        return IntStream.iterate(0, from -> from < rounds, from -> from + block)
            .map(from -> Math.min(block, rounds - from)).toArray();
    }

    private static void answerEvents(final EventChannels events, final int port, final Stamps stamps, final int from,
        final int to) throws Exception
    {
        for (int i = from; i < to; i++)
        {
            final int pending = events.pending(10, TimeUnit.SECONDS);
            stamps.woke[i] = System.nanoTime();
            if (pending < 0)
            {
                throw new IOException("the benchmark sent no notification for 10 s");
            }
            events.unmask(pending);
            stamps.sent[i] = System.nanoTime();
            events.notify(port);
        }
    }

    private static void echo(final SocketChannel client, final Stamps stamps, final int from, final int to)
        throws IOException
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        for (int i = from; i < to; i++)
        {
            one.clear();
            if (client.read(one) < 0)
            {
                throw new IOException("the benchmark closed its socket");
            }
            stamps.woke[i] = System.nanoTime();
            one.flip();
            stamps.sent[i] = System.nanoTime();
            client.write(one);
        }
    }

    /** One side's stamps of one mechanism: when it sent message i, and when message i woke it. */
    private record Stamps(long[] sent, long[] woke)
    {
        Stamps(final int rounds)
        {
            this(new long[rounds], new long[rounds]);
        }

        /** This side sent first: from each send to the reply's wake. */
        long[] roundTrips()
        {
            return IntStream.range(0, sent.length).mapToLong(i -> woke[i] - sent[i]).toArray();
        }

        /** This side sent first: from each send to the peer's wake, and from each reply to this side's. */
        long[] oneWay(final Stamps peer)
        {
            return LongStream.concat(IntStream.range(0, sent.length).mapToLong(i -> peer.woke[i] - sent[i]),
                IntStream.range(0, sent.length).mapToLong(i -> woke[i] - peer.sent[i])).toArray();
        }

        void send(final SocketChannel channel) throws IOException
        {
            final ByteBuffer bytes = ByteBuffer.allocate(sent.length * 2 * Long.BYTES);
            bytes.asLongBuffer().put(sent).put(woke);
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
        }

        static Stamps receive(final SocketChannel channel, final int rounds) throws IOException
        {
            final ByteBuffer bytes = ByteBuffer.allocate(rounds * 2 * Long.BYTES);
            while (bytes.hasRemaining())
            {
                if (channel.read(bytes) < 0)
                {
                    throw new IOException("the peer closed its socket before it sent its stamps");
                }
            }
            final Stamps stamps = new Stamps(rounds);
            bytes.flip().asLongBuffer().get(stamps.sent).get(stamps.woke);
            return stamps;
        }
    }

    private static double ratio(final long[] samples, final long[] baseline)
    {
        return (double) p(samples, 50) / p(baseline, 50);
    }

    private static long p(final long[] samples, final int percentile)
    {
        final long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }

    private static void print(final String name, final long[] samples)
    {
        System.out.printf(Locale.ROOT, "%-52s %10.1f %10.1f%n", name, p(samples, 50) / 1000.0, p(samples, 99) / 1000.0);
    }
}
