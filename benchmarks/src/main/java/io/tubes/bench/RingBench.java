package io.tubes.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.ring.PacketHandler;
import io.tubes.ring.RingException;
import io.tubes.ring.RingFormat;
import io.tubes.ring.RingInputChannel;
import io.tubes.ring.RingLayout;
import io.tubes.ring.RingOutputChannel;
import io.tubes.ring.RingReader;
import io.tubes.ring.RingReceiver;
import io.tubes.ring.RingSender;
import io.tubes.ring.RingWriter;
import io.tubes.ring.Waiting;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * A tube's ring between two processes (two domains of the simulated host, granted pages, event
 * channel) beside, in the same run: TCP loopback and a Unix socket with the same framing
 * (length-prefixed packets, buffered), Agrona's OneToOneRingBuffer over a memory-mapped file in
 * /dev/shm, and memcpy of a ring-sized buffer. Every ring is 512 KiB. One way: 64 B, 1 KiB and
 * 64 KiB packets, and a byte stream in 64 KiB writes (a tube in stream mode, read in place or copied
 * out into a buffer, beside Agrona's 64 KiB messages copied out; TCP and Unix sockets without
 * framing, copied out); round trips: 64 B ping-pong, the spinning ones read in place and echoed from
 * the view, for a tube as for Agrona. Agrona's sides always spin. A tube's sides wait as
 * {@code Waiting.DEFAULT} says (a spin of at most 200 µs that adapts, then a sleep on the event
 * channel), except in {@code tube-spin}, whose sides always spin 10 ms first, and {@code tube-sleep},
 * whose sides sleep whenever they wait.
 * A tube's sender blocks while the ring is full ({@code RingSender.send}), except in {@code tube-nb},
 * which spins on non-blocking writes as Agrona's does. And, in one thread, the time a packet costs a
 * tube's ring and Agrona's when nothing crosses cores. Then the one-way cases again, contended: one
 * busy process per core beside the pair, as appliances that share vCPUs meet it.
 *
 * <p>Every scenario warms up first (both processes' JIT compilers, page faults) for {@link #WARM_UP},
 * then is measured: a one-way figure as the median of {@link #PAIRS} fresh pairs of processes, each
 * measured over one stretch of {@code scale} seconds; round trips over {@code scale * 100 000} samples.
 *
 * <p>Usage: {@code benchmarks/run [scale]} (1 = the default; 0.2 for a quick look).
 */
public final class RingBench
{
    private static final int DATA = 512 * 1024;
    private static final int PAGES = RingLayout.totalSize(DATA) / RingLayout.PAGE_SIZE;
    private static final long SPIN = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long WARM_UP = TimeUnit.MILLISECONDS.toNanos(500);
    /** Packets sent between looks at the clock, and per batch of {@code tube-batch}. */
    private static final int CHUNK = 64;
    /** What a tube's receiver does with a packet read in place, as Agrona's does: touches its last byte. */
    private static final PacketHandler TOUCH_LAST_BYTE = bytes -> bytes.get(bytes.limit() - 1);
    /** Round trips of one kind before the other in {@link #sleepingPingPong}. */
    private static final int BLOCK = 1000;
    /** Fresh pairs of processes per one-way figure. */
    private static final int PAIRS = 5;

    private final Path dir;
    private final SimXenDriver self;

    private RingBench(final Path dir, final SimXenDriver self)
    {
        this.dir = dir;
        this.self = self;
    }

    public static void main(final String[] args) throws Exception
    {
        // The table and the ratios, last, are the output: the host's log lines stay out of it.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        if (args.length > 0 && "--peer".equals(args[0]))
        {
            Peer.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        final boolean lowLatencyIdle = LowLatencyIdle.asked(args);
        final int next = lowLatencyIdle ? 1 : 0;
        final double scale = args.length > next ? Double.parseDouble(args[next]) : 1.0;
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "tubes-ring-bench");
        System.out.println(LowLatencyIdle.describe(lowLatencyIdle));
        try (FileChannel idle = lowLatencyIdle ? LowLatencyIdle.hold() : null;
             SimHost host = SimHost.start(new HostLayout(dir.resolve("host")));
             SimXenDriver self = SimXenDriver.join(host.layout(), "bench"))
        {
            new RingBench(dir, self).runAll(scale);
        }
        finally
        {
            try (var files = Files.walk(dir))
            {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void runAll(final double scale) throws Exception
    {
        final int[] sizes = {64, 1024, 65536};
        final long stretch = (long) (TimeUnit.SECONDS.toNanos(1) * scale);
        final String[] kinds = {"tube", "tube-spin", "tube-nb", "tube-batch", "tube-sleep", "agrona", "tcp", "unix"};
        final String[] streamKinds = {"tube", "tube-spin", "tube-sleep", "tcp", "unix"};
        final double[][] rate = oneWayRates(kinds, sizes, stretch);
        final double[] stream = streamRates(kinds, streamKinds, stretch);
        final double[] copied = mediansOfPairs(() -> streamBytesPerSecond("tube-copy", stretch),
            () -> oneWay("agrona-copy", 65536, stretch) * 65536);
        final double streamCopied = copied[0];
        final double agronaCopied = copied[1];
        final double memcpy = memcpyBytesPerSecond();
        final double[][] oneThread = {oneThread(64, stretch), oneThread(1024, stretch)};
        final int rounds = (int) (100_000 * scale);
        final long[][] spinning = spinningPingPong(rounds);
        final long[][] sleeping = sleepingPingPong(rounds);
        final long[][] rtt = {spinning[0], spinning[1], sleeping[0], sleeping[1]};
        final String[] contendedKinds = {"tube", "tube-spin", "tube-sleep", "agrona", "tcp", "unix"};
        final double[][] contended;
        final double[] contendedStream;
        final Busy busy = new Busy();
        try
        {
            contended = oneWayRates(contendedKinds, sizes, stretch);
            contendedStream = streamRates(contendedKinds, streamKinds, stretch);
        }
        finally
        {
            busy.close();
        }

        printOneWay("one way, two processes", kinds, sizes, rate, memcpy);
        printStream(stream, memcpy);
        System.out.printf(Locale.ROOT, "%-34s %12.0f %12s %12s %12s %12s %12.0f%n", "64 KiB copied out, MB/s",
            streamCopied / 1e6, "-", "-", "-", "-", agronaCopied / 1e6);
        for (int s = 0; s < oneThread.length; s++)
        {
            System.out.printf(Locale.ROOT, "%-34s", sizes[s] + " B, one thread, ns per packet");
            for (final String kind : kinds)
            {
                final int column = "tube".equals(kind) ? 0 : "agrona".equals(kind) ? 1 : -1;
                System.out.printf(Locale.ROOT, " %12s",
                    column < 0 ? "-" : String.format(Locale.ROOT, "%.1f", oneThread[s][column]));
            }
            System.out.printf(Locale.ROOT, " %12s%n", "-");
        }
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %12s %12s%n", "64 B round trip, p50/p99 us", "tube-spin",
            "agrona-spin", "tube-sleep", "unix");
        System.out.printf(Locale.ROOT, "%-34s", "");
        for (final long[] samples : rtt)
        {
            System.out.printf(Locale.ROOT, " %12s", String.format(Locale.ROOT, "%.2f/%.2f", p(samples, 50) / 1e3,
                p(samples, 99) / 1e3));
        }
        System.out.println();
        printOneWay("contended, one busy process per core", contendedKinds, sizes, contended, memcpy);
        printStream(contendedStream, memcpy);
        final int tube = 0;
        final int nonBlocking = 2;
        final int batch = 3;
        final int sleep = 4;
        final int agrona = 5;
        final int tcp = 6;
        System.out.printf(Locale.ROOT, "ratios: tube/agrona 64B %.2fx, tube-nb/agrona 64B %.2fx, "
                + "tube-batch/agrona 64B %.2fx, tube/tcp 64B %.2fx, tube-nb/tcp 64B %.2fx, tube-batch/tcp 64B %.2fx, "
                + "tube-sleep/tcp 64B %.2fx, tube/agrona 1K %.2fx, tube-nb/agrona 1K %.2fx, tube-batch/agrona 1K %.2fx, "
                + "tube/tcp 1K %.2fx, tube-batch/tcp 1K %.2fx, "
                + "tube/memcpy 64K %.2fx, tube/tcp 64K %.2fx, stream tube/memcpy %.2fx, stream tube/tcp %.2fx, "
                + "stream copied out tube/memcpy %.2fx, copied out tube-stream/agrona-64K %.2fx, "
                + "rtt tube-spin/agrona %.2fx, rtt tube-sleep/unix %.2fx, "
                + "one-thread time tube/agrona 64B %.2fx, 1K %.2fx, "
                + "tube/tube-spin 64B %.2fx, 1K %.2fx, 64K %.2fx, stream %.2fx%n",
            rate[0][tube] / rate[0][agrona], rate[0][nonBlocking] / rate[0][agrona], rate[0][batch] / rate[0][agrona],
            rate[0][tube] / rate[0][tcp], rate[0][nonBlocking] / rate[0][tcp], rate[0][batch] / rate[0][tcp],
            rate[0][sleep] / rate[0][tcp], rate[1][tube] / rate[1][agrona], rate[1][nonBlocking] / rate[1][agrona],
            rate[1][batch] / rate[1][agrona], rate[1][tube] / rate[1][tcp], rate[1][batch] / rate[1][tcp],
            rate[2][tube] * 65536 / memcpy, rate[2][tube] / rate[2][tcp], stream[tube] / memcpy,
            stream[tube] / stream[tcp], streamCopied / memcpy, streamCopied / agronaCopied,
            (double) p(rtt[0], 50) / p(rtt[1], 50), (double) p(rtt[2], 50) / p(rtt[3], 50),
            oneThread[0][0] / oneThread[0][1], oneThread[1][0] / oneThread[1][1],
            rate[0][tube] / rate[0][1], rate[1][tube] / rate[1][1], rate[2][tube] / rate[2][1],
            stream[tube] / stream[1]);
        System.out.println(contendedRatios(contendedKinds, contended, contendedStream));
    }

    /** Each contended kind against TCP in the same contended run: the last line of the output. */
    private static String contendedRatios(final String[] kinds, final double[][] rate, final double[] stream)
    {
        final int tcp = List.of(kinds).indexOf("tcp");
        final StringBuilder line = new StringBuilder("contended ratios:");
        for (int k = 0; k < tcp; k++)
        {
            line.append(String.format(Locale.ROOT, " %s/tcp 64B %.2fx, 1K %.2fx, 64K %.2fx", kinds[k],
                rate[0][k] / rate[0][tcp], rate[1][k] / rate[1][tcp], rate[2][k] / rate[2][tcp]));
            if (!Double.isNaN(stream[k]))
            {
                line.append(String.format(Locale.ROOT, ", stream %.2fx", stream[k] / stream[tcp]));
            }
            line.append(k < tcp - 1 ? ";" : "");
        }
        return line.toString();
    }

    /** Each kind's one-way rate at each size, medians of fresh pairs, the kinds taking turns. */
    private double[][] oneWayRates(final String[] kinds, final int[] sizes, final long stretch) throws Exception
    {
        final double[][] rate = new double[sizes.length][];
        for (int s = 0; s < sizes.length; s++)
        {
            final int size = sizes[s];
            rate[s] = mediansOfPairs(Arrays.stream(kinds).map(kind -> (PairRun) () -> oneWay(kind, size, stretch))
                .toArray(PairRun[]::new));
        }
        return rate;
    }

    /** The stream's bytes per second for each of {@code kinds} that is one of {@code streamKinds}, else NaN. */
    private double[] streamRates(final String[] kinds, final String[] streamKinds, final long stretch) throws Exception
    {
        final List<String> measured = Arrays.stream(kinds).filter(List.of(streamKinds)::contains).toList();
        final double[] rates = mediansOfPairs(measured.stream()
            .map(kind -> (PairRun) () -> streamBytesPerSecond(kind, stretch)).toArray(PairRun[]::new));
        final double[] stream = new double[kinds.length];
        for (int k = 0; k < kinds.length; k++)
        {
            final int column = measured.indexOf(kinds[k]);
            stream[k] = column < 0 ? Double.NaN : rates[column];
        }
        return stream;
    }

    private static void printOneWay(final String title, final String[] kinds, final int[] sizes, final double[][] rate,
        final double memcpy)
    {
        System.out.printf(Locale.ROOT, "%-34s", title);
        for (final String kind : kinds)
        {
            System.out.printf(Locale.ROOT, " %12s", kind);
        }
        System.out.printf(Locale.ROOT, " %12s%n", "memcpy");
        for (int s = 0; s < sizes.length; s++)
        {
            final boolean bytes = sizes[s] >= 65536;
            System.out.printf(Locale.ROOT, "%-34s", sizes[s] + " B packets, " + (bytes ? "MB/s" : "k packets/s"));
            for (int k = 0; k < kinds.length; k++)
            {
                System.out.printf(Locale.ROOT, " %12.0f", bytes ? rate[s][k] * sizes[s] / 1e6 : rate[s][k] / 1e3);
            }
            System.out.printf(Locale.ROOT, " %12s%n", bytes ? String.format(Locale.ROOT, "%.0f", memcpy / 1e6) : "-");
        }
    }

    private static void printStream(final double[] stream, final double memcpy)
    {
        System.out.printf(Locale.ROOT, "%-34s", "64 KiB stream, MB/s");
        for (final double rateOf : stream)
        {
            System.out.printf(Locale.ROOT, " %12s", Double.isNaN(rateOf) ? "-" : String.format(Locale.ROOT, "%.0f",
                rateOf / 1e6));
        }
        System.out.printf(Locale.ROOT, " %12.0f%n", memcpy / 1e6);
    }

    /** One busy process per core, for as long as it is open: the other work of a machine whose cores are shared. */
    private static final class Busy implements AutoCloseable
    {
        private final List<Process> spinning = new java.util.ArrayList<>();

        Busy() throws java.io.IOException
        {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++)
            {
                spinning.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
        }

        @Override
        public void close() throws InterruptedException
        {
            for (final Process process : spinning)
            {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    /** What a one-way rate is measured by: one fresh pair of processes. */
    @FunctionalInterface
    private interface PairRun
    {
        double rate() throws Exception;
    }

    /**
     * The median rate of each run over {@link #PAIRS} fresh pairs of processes, the runs taking turns.
     * A pair can settle into a slow mode and stay in it for its whole life (a fresh pair does so now and
     * then, for Agrona as for a tube), and a neighbour on a shared host can spoil a stretch: the median
     * of fresh pairs is spoiled by neither. Taking turns, the runs compared meet the same phases of the
     * host (this one's vCPUs are placed in ways that move every rate twofold over the hours).
     */
    private static double[] mediansOfPairs(final PairRun... runs) throws Exception
    {
        final double[][] rates = new double[runs.length][PAIRS];
        // Pair i of every run /then/ pair i+1: runs compared with each other meet the host in the same moods.
        for (int i = 0; i < PAIRS; i++)
        {
            for (int run = 0; run < runs.length; run++)
            {
                rates[run][i] = runs[run].rate();
            }
        }
        final double[] medians = new double[runs.length];
        for (int run = 0; run < runs.length; run++)
        {
            Arrays.sort(rates[run]);
            medians[run] = rates[run][PAIRS / 2];
        }
        return medians;
    }

    /** How a tube of this kind, or a peer of this role, waits: "sleep" never spins, "spin" always does. */
    private static Waiting waitingOf(final String kind)
    {
        if (kind.contains("sleep"))
        {
            return Waiting.sleeping();
        }
        return kind.contains("spin") ? Waiting.spinning(SPIN) : Waiting.DEFAULT;
    }

    /** Packets per second from this process to a peer process, measured over {@code stretchNanos} after a warm-up. */
    private double oneWay(final String kind, final int size, final long stretchNanos) throws Exception
    {
        // Non-blocking and batched sends go to the same receiver as single blocking ones.
        final String receiver = "tube-nb".equals(kind) || "tube-batch".equals(kind) ? "tube" : kind;
        try (Child child = new Child(receiver + "-recv", Integer.toString(size)))
        {
            final ByteBuffer packet = ByteBuffer.allocateDirect(size);
            final Stretch clock = new Stretch(stretchNanos);
            switch (kind)
            {
                case "tube":
                case "tube-spin":
                case "tube-sleep":
                {
                    try (EventChannels events = self.openEventChannels();
                         SharedPages ring = shareRing(child, events))
                    {
                        final RingSender sender = new RingSender(RingWriter.attach(ring.buffer()), events,
                            child.port, waitingOf(kind));
                        child.expect("ready");
                        clock.sendChunks(() ->
                        {
                            for (int i = 0; i < CHUNK; i++)
                            {
                                sender.send(packet.clear());
                            }
                        });
                        sender.close();
                        child.expect("done");
                    }
                    break;
                }
                case "tube-nb":
                {
                    try (EventChannels events = self.openEventChannels();
                         SharedPages ring = shareRing(child, events))
                    {
                        // Non-blocking writes, spinning while the ring is full, as Agrona's producer does; and the
                        // look for a receiver that asked to be woken, which Agrona's has not.
                        final RingWriter writer = RingWriter.attach(ring.buffer());
                        child.expect("ready");
                        clock.sendChunks(() ->
                        {
                            for (int i = 0; i < CHUNK; i++)
                            {
                                while (writer.write(packet.clear()) != RingWriter.WRITTEN)
                                {
                                    Thread.onSpinWait();
                                }
                                if (writer.consumerWantsKick())
                                {
                                    events.notify(child.port);
                                }
                            }
                        });
                        writer.close();
                        events.notify(child.port);
                        child.expect("done");
                    }
                    break;
                }
                case "tube-batch":
                {
                    try (EventChannels events = self.openEventChannels();
                         SharedPages ring = shareRing(child, events))
                    {
                        final RingSender sender = new RingSender(RingWriter.attach(ring.buffer()), events,
                            child.port, Waiting.DEFAULT);
                        // The same packets, handed over 64 at a time, as a buffered stream would.
                        final ByteBuffer[] batch = new ByteBuffer[CHUNK];
                        for (int i = 0; i < batch.length; i++)
                        {
                            batch[i] = packet.duplicate();
                        }
                        child.expect("ready");
                        clock.sendChunks(() ->
                        {
                            for (final ByteBuffer each : batch)
                            {
                                each.clear();
                            }
                            sender.sendBatch(batch, 0, batch.length);
                        });
                        sender.close();
                        child.expect("done");
                    }
                    break;
                }
                case "agrona":
                case "agrona-copy":
                {
                    final OneToOneRingBuffer ring = agrona(dir.resolve("agrona-" + size), true);
                    child.tell(dir.resolve("agrona-" + size).toString());
                    child.expect("ready");
                    final UnsafeBuffer src = new UnsafeBuffer(packet);
                    clock.sendChunks(() ->
                    {
                        for (int i = 0; i < CHUNK; i++)
                        {
                            while (!ring.write(1, src, 0, size))
                            {
                                Thread.onSpinWait();
                            }
                        }
                    });
                    while (!ring.write(2, src, 0, 1))
                    {
                        Thread.onSpinWait();
                    }
                    child.expect("done");
                    break;
                }
                default:
                {
                    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                        Channels.newOutputStream(connect(kind, child)), 65536)))
                    {
                        final byte[] bytes = new byte[size];
                        clock.sendChunks(() ->
                        {
                            for (int i = 0; i < CHUNK; i++)
                            {
                                out.writeInt(size);
                                out.write(bytes);
                            }
                        });
                        out.writeInt(0);
                        out.flush();
                        child.expect("done");
                    }
                }
            }
            return clock.rate();
        }
    }

    /** Bytes per second of a byte stream written 64 KiB at a time, measured as {@link #oneWay} measures. */
    private double streamBytesPerSecond(final String kind, final long stretchNanos) throws Exception
    {
        final int size = 65536;
        try (Child child = new Child(kind + "-stream-recv", Integer.toString(size)))
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(size);
            final Stretch clock = new Stretch(stretchNanos);
            if (kind.startsWith("tube"))
            {
                try (EventChannels events = self.openEventChannels();
                     SharedPages ring = shareRing(child, events, RingLayout.MODE_STREAM);
                     RingOutputChannel out = new RingOutputChannel(RingWriter.attach(ring.buffer()), events,
                         child.port, waitingOf(kind)))
                {
                    child.expect("ready");
                    do
                    {
                        out.write(chunk.clear());
                    }
                    while (clock.sent(1));
                }
            }
            else
            {
                try (WritableByteChannel out = connect(kind, child))
                {
                    do
                    {
                        chunk.clear();
                        while (chunk.hasRemaining())
                        {
                            out.write(chunk);
                        }
                    }
                    while (clock.sent(1));
                }
            }
            child.expect("done");
            return clock.rate() * size;
        }
    }

    /** {@link #CHUNK} packets of one kind. */
    @FunctionalInterface
    private interface Chunk
    {
        void send() throws Exception;
    }

    /**
     * The clock of a one-way run: a warm-up, then one measured stretch. Rates are taken where the
     * packets are sent: what is still in flight at the end (a ring or a socket buffer) is well under a
     * percent of a stretch.
     */
    private static final class Stretch
    {
        private final long stretchNanos;
        private double rate;
        private long warmUntil;
        private long measuredFrom;
        private long measured;

        Stretch(final long stretchNanos)
        {
            this.stretchNanos = stretchNanos;
        }

        /**
         * Sends chunks of {@link #CHUNK} packets until the stretch is over. Each kind's chunk is a lambda
         * of its own, compiled apart: with every kind's loop in one method, the tube's single 64 B sends
         * measured 27-29 M/s, and 36-41 M/s apart (in {@code FormatBench}, Agrona's went from 23-33 to 39-47).
         */
        void sendChunks(final Chunk chunk) throws Exception
        {
            do
            {
                chunk.send();
            }
            while (sent(CHUNK));
        }

        /** Counts {@code packets} just sent (the first call starts the warm-up); whether to go on sending. */
        private boolean sent(final int packets)
        {
            final long now = System.nanoTime();
            if (measuredFrom == 0)
            {
                if (warmUntil == 0)
                {
                    warmUntil = now + WARM_UP;
                }
                else if (now - warmUntil >= 0)
                {
                    measuredFrom = now;
                }
                return true;
            }
            measured += packets;
            if (now - measuredFrom < stretchNanos)
            {
                return true;
            }
            rate = measured / ((now - measuredFrom) / 1e9);
            return false;
        }

        /** Packets per second over the stretch. */
        double rate()
        {
            return rate;
        }
    }

    /**
     * Round trips of 64-byte packets through a spinning tube and through Agrona's rings, in
     * alternating blocks between the same two processes: both see the same placement of the two
     * vCPUs on the host's cores, which moves a spinning round trip by a factor of three or more.
     */
    private long[][] spinningPingPong(final int rounds) throws Exception
    {
        try (Child child = new Child("spin-echo", "64");
             EventChannels events = self.openEventChannels();
             SharedPages there = shareRing(child, events);
             SharedPages back = shareRing(child, null))
        {
            final OneToOneRingBuffer agronaThere = agrona(dir.resolve("agrona-there"), true);
            final OneToOneRingBuffer agronaBack = agrona(dir.resolve("agrona-back"), true);
            child.tell(dir.resolve("agrona-there") + " " + dir.resolve("agrona-back"));
            child.expect("ready");
            final RingSender sender = new RingSender(RingWriter.attach(there.buffer()), events, child.port,
                Waiting.spinning(SPIN));
            final RingReceiver receiver = new RingReceiver(RingReader.attach(back.buffer(), 64), events, child.port,
                Waiting.spinning(SPIN));
            final ByteBuffer packet = ByteBuffer.allocateDirect(64);
            final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            // Each reply is looked at in place: a tube's last byte, Agrona's not at all.
            final PacketHandler reply = view -> view.get(view.limit() - 1);
            final boolean[] got = new boolean[1];
            final MessageHandler agronaReply = (type, buffer, index, length) -> got[0] = true;
            final long[][] samples = alternate(rounds, () ->
            {
                sender.send(packet.clear());
                receiver.receive(reply, 1);
            }, () ->
            {
                while (!agronaThere.write(1, src, 0, 64))
                {
                    Thread.onSpinWait();
                }
                got[0] = false;
                while (!got[0])
                {
                    agronaBack.read(agronaReply, 1);
                }
            });
            sender.close();
            return samples;
        }
    }

    /**
     * Round trips of a tube whose sides sleep whenever they wait, and of a Unix socket, in alternating
     * blocks between the same two processes: both see the same placement of the processes on the
     * CPUs (which, on a VM whose idle vCPUs halt, decides more than either mechanism).
     */
    private long[][] sleepingPingPong(final int rounds) throws Exception
    {
        try (Child child = new Child("sleep-echo", "64");
             EventChannels events = self.openEventChannels();
             SharedPages there = shareRing(child, events);
             SharedPages back = shareRing(child, null);
             SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(child.unixSocket())))
        {
            child.expect("ready");
            final RingSender sender = new RingSender(RingWriter.attach(there.buffer()), events, child.port,
                Waiting.sleeping());
            final RingReceiver receiver = new RingReceiver(RingReader.attach(back.buffer(), 64), events, child.port,
                Waiting.sleeping());
            final ByteBuffer packet = ByteBuffer.allocateDirect(64);
            final long[][] samples = alternate(rounds, () ->
            {
                sender.send(packet.clear());
                receiver.receive(packet.clear());
            }, () -> socketRoundTrip(channel, packet));
            sender.close();
            return samples;
        }
    }

    /** One round trip of a ping-pong. */
    @FunctionalInterface
    private interface RoundTrip
    {
        void run() throws Exception;
    }

    /**
     * Times round trips of two kinds in alternating blocks of {@link #BLOCK}, as the peer answers
     * them, until both have their samples.
     */
    private static long[][] alternate(final int rounds, final RoundTrip first, final RoundTrip second)
        throws Exception
    {
        final RoundTrips firsts = new RoundTrips(rounds);
        final RoundTrips seconds = new RoundTrips(rounds);
        boolean more = true;
        while (more)
        {
            more = false;
            for (int i = 0; i < BLOCK; i++)
            {
                firsts.start();
                first.run();
                more |= firsts.stop();
            }
            for (int i = 0; i < BLOCK; i++)
            {
                seconds.start();
                second.run();
                more |= seconds.stop();
            }
        }
        return new long[][] {firsts.samples, seconds.samples};
    }

    /** Sends the packet and waits for it to come back; the peer does the same in the other order. */
    private static void socketRoundTrip(final SocketChannel channel, final ByteBuffer packet) throws IOException
    {
        packet.clear();
        while (packet.hasRemaining())
        {
            channel.write(packet);
        }
        packet.clear();
        while (packet.hasRemaining())
        {
            if (channel.read(packet) < 0)
            {
                throw new IOException("the peer closed its socket");
            }
        }
    }

    /** Round-trip times, taken once a warm-up has passed. */
    private static final class RoundTrips
    {
        final long[] samples;
        private long warmUntil;
        private long started;
        private int taken;

        RoundTrips(final int rounds)
        {
            samples = new long[rounds];
        }

        void start()
        {
            started = System.nanoTime();
        }

        /** Keeps the time since {@link #start}, once warm; whether more round trips are wanted. */
        boolean stop()
        {
            final long nanos = System.nanoTime() - started;
            if (warmUntil == 0)
            {
                warmUntil = System.nanoTime() + WARM_UP;
            }
            else if (System.nanoTime() - warmUntil >= 0 && taken < samples.length)
            {
                samples[taken++] = nanos;
            }
            return taken < samples.length;
        }
    }

    /** Shares a formatted ring with the child; with {@code events}, also offers it an event-channel port. */
    private SharedPages shareRing(final Child child, final EventChannels events) throws Exception
    {
        return shareRing(child, events, RingLayout.MODE_PACKET);
    }

    private SharedPages shareRing(final Child child, final EventChannels events, final int mode) throws Exception
    {
        final SharedPages ring = self.grantTable().share(child.domid, PAGES, true, null);
        RingFormat.format(ring.buffer(), DATA, 65536, mode, List.of());
        if (events != null)
        {
            child.port = events.bindUnbound(child.domid);
        }
        child.tell(self.domid() + " " + ring.refs().get(0) + " " + child.port);
        return ring;
    }

    private static OneToOneRingBuffer agrona(final Path file, final boolean create) throws IOException
    {
        final int length = DATA + RingBufferDescriptor.TRAILER_LENGTH;
        try (FileChannel channel = create
            ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE) // zeroed: a fresh ring for every pair
            : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            return new OneToOneRingBuffer(new UnsafeBuffer(mapped));
        }
    }

    /** Connects to the child's socket: TCP loopback (without Nagle's delay) or Unix, where it said it listens. */
    private static SocketChannel connect(final String kind, final Child child) throws IOException
    {
        if (!"tcp".equals(kind))
        {
            return SocketChannel.open(UnixDomainSocketAddress.of(child.unixSocket()));
        }
        final SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            Integer.parseInt(child.read())));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    /**
     * The time a packet costs a tube's ring and Agrona's, in that order, when one thread writes 64 and
     * then reads the 64 in place: the code's own cost, with no line crossing to another core. Measured
     * in a fresh process, so that the code is compiled for this case alone (as in an application that
     * does only this), not for the cases run before it here; the two rings take turns, so that both
     * meet the same phases of the host.
     */
    private double[] oneThread(final int size, final long stretchNanos) throws Exception
    {
        try (Child child = new Child("one-thread", Integer.toString(size)))
        {
            child.tell(Long.toString(stretchNanos));
            return Arrays.stream(child.read().split(" ")).mapToDouble(Double::parseDouble).toArray();
        }
    }

    /** {@link #oneThread}'s side in the fresh process: a line with the two times, in ns per packet. */
    private static String oneThreadNanosPerPacket(final int size, final long stretchNanos) throws RingException
    {
        final Runnable[] chunks = {oneThreadTubeChunk(size), oneThreadAgronaChunk(size)};
        for (final Runnable chunk : chunks)
        {
            final long warmUntil = System.nanoTime() + WARM_UP;
            while (System.nanoTime() - warmUntil < 0)
            {
                chunk.run();
            }
        }
        final int turns = 5;
        final double[][] nanos = new double[chunks.length][turns];
        for (int turn = 0; turn < turns; turn++)
        {
            for (int kind = 0; kind < chunks.length; kind++)
            {
                long packets = 0;
                final long started = System.nanoTime();
                while (System.nanoTime() - started < stretchNanos / turns)
                {
                    chunks[kind].run();
                    packets += CHUNK;
                }
                nanos[kind][turn] = (double) (System.nanoTime() - started) / packets;
            }
        }
        for (final double[] times : nanos)
        {
            Arrays.sort(times);
        }
        return nanos[0][turns / 2] + " " + nanos[1][turns / 2];
    }

    private static Runnable oneThreadTubeChunk(final int size) throws RingException
    {
        final ByteBuffer packet = ByteBuffer.allocateDirect(size);
        final ByteBuffer ring = ByteBuffer.allocateDirect(RingLayout.totalSize(DATA));
        RingFormat.format(ring, DATA, size, RingLayout.MODE_PACKET, List.of());
        final RingWriter writer = RingWriter.attach(ring);
        final RingReader reader = RingReader.attach(ring, size);
        return () ->
        {
            try
            {
                for (int i = 0; i < CHUNK; i++)
                {
                    writer.write(packet.clear());
                    writer.consumerWantsKick();
                }
                reader.poll(TOUCH_LAST_BYTE, CHUNK);
                reader.producerWantsKick();
            }
            catch (final RingException e)
            {
                throw new IllegalStateException(e);
            }
        };
    }

    private static Runnable oneThreadAgronaChunk(final int size)
    {
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(DATA
            + RingBufferDescriptor.TRAILER_LENGTH)));
        final UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        final MessageHandler touch = (type, buffer, index, length) -> buffer.getByte(index + length - 1);
        return () ->
        {
            for (int i = 0; i < CHUNK; i++)
            {
                ring.write(1, src, 0, size);
            }
            ring.read(touch, CHUNK);
        };
    }

    private static double memcpyBytesPerSecond()
    {
        final ByteBuffer src = ByteBuffer.allocateDirect(DATA);
        final ByteBuffer dst = ByteBuffer.allocateDirect(DATA);
        long copied = 0;
        final long started = System.nanoTime();
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1))
        {
            dst.put(0, src, 0, DATA);
            copied += DATA;
        }
        return copied / ((System.nanoTime() - started) / 1e9);
    }

    private static long p(final long[] samples, final int percentile)
    {
        final long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }

    /** The peer process of one scenario; it says its domid first, and is killed when closed. */
    private final class Child implements AutoCloseable
    {
        private final Process process;
        private final BufferedReader out;
        private final PrintWriter in;
        final int domid;
        int port;

        Child(final String role, final String size) throws IOException
        {
            // Agrona 2 reaches for jdk.internal.misc.Unsafe.
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), RingBench.class.getName(), "--peer", role, size,
                dir.resolve("host").toString(), dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            domid = Integer.parseInt(read());
        }

        String read() throws IOException
        {
            final String line = out.readLine();
            if (line == null)
            {
                throw new IOException("the peer process ended");
            }
            return line;
        }

        void expect(final String word) throws IOException
        {
            final String line = read();
            if (!line.startsWith(word))
            {
                throw new IOException("the peer said '" + line + "', expected '" + word + "'");
            }
        }

        void tell(final String line)
        {
            in.println(line);
        }

        Path unixSocket() throws IOException
        {
            return Path.of(read());
        }

        @Override
        public void close() throws InterruptedException
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The peer side of each scenario: receives and counts, or echoes. */
    private static final class Peer
    {
        private Peer()
        {
        }

        static void run(final String[] args) throws Exception
        {
            final String role = args[0];
            final int size = Integer.parseInt(args[1]);
            final Path dir = Path.of(args[3]);
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try (SimXenDriver self = SimXenDriver.join(new HostLayout(Path.of(args[2])), "peer-"
                + ProcessHandle.current().pid()))
            {
                System.out.println(self.domid());
                System.out.flush();
                switch (role)
                {
                    case "tube-recv":
                    case "tube-spin-recv":
                    case "tube-sleep-recv":
                    case "tube-stream-recv":
                    case "tube-spin-stream-recv":
                    case "tube-sleep-stream-recv":
                    case "tube-copy-stream-recv":
                    {
                        final String[] ring = in.readLine().split(" ");
                        try (EventChannels events = self.openEventChannels();
                             MappedPages pages = map(self, ring))
                        {
                            final int port = events.bindInterdomain(Integer.parseInt(ring[0]), Integer.parseInt(ring[2]));
                            final RingReader reader = RingReader.attach(pages.buffer(), 65536);
                            final Waiting waiting = waitingOf(role);
                            System.out.println("ready");
                            System.out.flush();
                            // Read in place, as Agrona's consumer reads, unless told to copy; the sender times.
                            if (role.contains("stream"))
                            {
                                try (RingInputChannel stream = new RingInputChannel(reader, events, port, waiting))
                                {
                                    if (role.contains("copy"))
                                    {
                                        drainStream(stream, size);
                                    }
                                    else
                                    {
                                        while (stream.readInPlace(TOUCH_LAST_BYTE) >= 0)
                                        {
                                            // next bytes
                                        }
                                    }
                                }
                            }
                            else
                            {
                                final RingReceiver receiver = new RingReceiver(reader, events, port, waiting);
                                while (receiver.receive(TOUCH_LAST_BYTE, 64) != RingReader.END)
                                {
                                    // next batch
                                }
                            }
                        }
                        break;
                    }
                    case "spin-echo":
                    {
                        final String[] there = in.readLine().split(" ");
                        final String[] back = in.readLine().split(" ");
                        final String[] files = in.readLine().split(" ");
                        try (EventChannels events = self.openEventChannels();
                             MappedPages in1 = map(self, there);
                             MappedPages out1 = map(self, back))
                        {
                            final int port = events.bindInterdomain(Integer.parseInt(there[0]), Integer.parseInt(there[2]));
                            final RingReceiver receiver = new RingReceiver(RingReader.attach(in1.buffer(), 64), events,
                                port, Waiting.spinning(SPIN));
                            final RingSender sender = new RingSender(RingWriter.attach(out1.buffer()), events, port,
                                Waiting.spinning(SPIN));
                            final OneToOneRingBuffer agronaThere = agrona(Path.of(files[0]), false);
                            final OneToOneRingBuffer agronaBack = agrona(Path.of(files[1]), false);
                            System.out.println("ready");
                            System.out.flush();
                            // Each packet goes back from where it arrived, without a copy out: from its view in the
                            // tube's ring, from Agrona's buffer. The tube's handler cannot throw, so a failure is kept.
                            final Exception[] failed = new Exception[1];
                            final PacketHandler echo = view ->
                            {
                                try
                                {
                                    sender.send(view);
                                }
                                catch (final RingException | DriverException | InterruptedException e)
                                {
                                    failed[0] = e;
                                }
                            };
                            final MessageHandler agronaEcho = (type, buffer, index, length) ->
                            {
                                while (!agronaBack.write(1, buffer, index, length))
                                {
                                    Thread.onSpinWait();
                                }
                            };
                            // The same blocks as the other side: a tube's, then Agrona's, until the tube ends.
                            while (failed[0] == null && receiver.receive(echo, 1) != RingReader.END)
                            {
                                for (int i = 1; i < BLOCK && failed[0] == null; i++)
                                {
                                    receiver.receive(echo, 1);
                                }
                                for (int i = 0; i < BLOCK; i++)
                                {
                                    while (agronaThere.read(agronaEcho, 1) == 0)
                                    {
                                        // spins, as Agrona's users do
                                    }
                                }
                            }
                            if (failed[0] != null)
                            {
                                throw failed[0];
                            }
                        }
                        break;
                    }
                    case "sleep-echo":
                    {
                        final String[] there = in.readLine().split(" ");
                        final String[] back = in.readLine().split(" ");
                        try (EventChannels events = self.openEventChannels();
                             MappedPages in1 = map(self, there);
                             MappedPages out1 = map(self, back);
                             ServerSocketChannel server = listen(false, dir))
                        {
                            final int port = events.bindInterdomain(Integer.parseInt(there[0]), Integer.parseInt(there[2]));
                            try (SocketChannel channel = server.accept())
                            {
                                final RingReceiver receiver = new RingReceiver(RingReader.attach(in1.buffer(), 64),
                                    events, port, Waiting.sleeping());
                                final RingSender sender = new RingSender(RingWriter.attach(out1.buffer()), events,
                                    port, Waiting.sleeping());
                                System.out.println("ready");
                                System.out.flush();
                                final ByteBuffer packet = ByteBuffer.allocateDirect(64);
                                // The same blocks as the other side: a tube's, then a socket's, until the tube ends.
                                while (receiver.receive(packet.clear()) != RingReader.END)
                                {
                                    sender.send(packet.flip());
                                    for (int i = 1; i < BLOCK; i++)
                                    {
                                        receiver.receive(packet.clear());
                                        sender.send(packet.flip());
                                    }
                                    for (int i = 0; i < BLOCK; i++)
                                    {
                                        echoOnce(channel, packet);
                                    }
                                }
                            }
                        }
                        break;
                    }
                    case "one-thread":
                    {
                        System.out.println(oneThreadNanosPerPacket(size, Long.parseLong(in.readLine())));
                        System.out.flush();
                        break;
                    }
                    case "agrona-recv":
                    case "agrona-copy-recv":
                    {
                        final OneToOneRingBuffer ring = agrona(Path.of(in.readLine()), false);
                        System.out.println("ready");
                        System.out.flush();
                        final boolean[] done = new boolean[1];
                        // Touch the last byte in place, as a tube's receiver does; or copy every byte out.
                        final ByteBuffer copy = ByteBuffer.allocateDirect(size);
                        final MessageHandler handler = role.contains("copy")
                            ? (type, buffer, index, length) ->
                            {
                                buffer.getBytes(index, copy, 0, length);
                                done[0] |= type == 2;
                            }
                            : (type, buffer, index, length) -> done[0] |= buffer.getByte(index + length - 1) != 0
                                || type == 2;
                        while (!done[0])
                        {
                            if (ring.read(handler) == 0)
                            {
                                Thread.onSpinWait();
                            }
                        }
                        break;
                    }
                    default: // tcp-recv, tcp-stream-recv, unix-recv, unix-stream-recv
                    {
                        try (ServerSocketChannel server = listen(role.startsWith("tcp"), dir);
                             SocketChannel channel = server.accept())
                        {
                            if (role.contains("stream"))
                            {
                                drainStream(channel, size);
                            }
                            else
                            {
                                drain(Channels.newInputStream(channel));
                            }
                        }
                    }
                }
                System.out.println("done");
                System.out.flush();
            }
        }

        private static MappedPages map(final SimXenDriver self, final String[] ring) throws IOException
        {
            final List<Integer> refs = new ArrayList<>();
            for (int i = 0; i < PAGES; i++)
            {
                refs.add(Integer.parseInt(ring[1]) + i);
            }
            return self.grantTable().map(Integer.parseInt(ring[0]), refs, true, null);
        }

        private static void drain(final java.io.InputStream stream) throws IOException
        {
            final DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 65536));
            final byte[] packet = new byte[65536];
            for (int length = in.readInt(); length > 0; length = in.readInt())
            {
                in.readFully(packet, 0, length);
            }
        }

        /** Listens on TCP loopback or a Unix socket in {@code dir}, and says where (port or path) on stdout. */
        private static ServerSocketChannel listen(final boolean tcp, final Path dir) throws IOException
        {
            if (tcp)
            {
                final ServerSocketChannel server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                System.out.println(((InetSocketAddress) server.getLocalAddress()).getPort());
                System.out.flush();
                return server;
            }
            final Path socket = dir.resolve("unix-" + ProcessHandle.current().pid());
            final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println(socket);
            System.out.flush();
            return server;
        }

        /** Reads a byte stream to its end, {@code size} bytes at a time at most. */
        private static void drainStream(final java.nio.channels.ReadableByteChannel stream, final int size)
            throws IOException
        {
            final ByteBuffer bytes = ByteBuffer.allocateDirect(size);
            while (stream.read(bytes.clear()) >= 0)
            {
                // every byte was copied out: that is the work
            }
        }

        /** Reads one packet from the socket and writes it back. */
        private static void echoOnce(final SocketChannel channel, final ByteBuffer packet) throws IOException
        {
            packet.clear();
            while (packet.hasRemaining())
            {
                if (channel.read(packet) < 0)
                {
                    throw new IOException("the peer closed its socket");
                }
            }
            packet.flip();
            while (packet.hasRemaining())
            {
                channel.write(packet);
            }
        }
    }
}
