package io.tubes.cli.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.tubes.driver.XenDriver;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.driver.xen.XenDomainDriver;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEngines;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeClosedException;
import io.tubes.tube.TubeCounters;
import io.tubes.tube.TubeHandler;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeWriter;
import io.tubes.xenstore.XenStoreConnection;
import io.tubes.xenstore.client.XenStoreAddress;
import io.tubes.xenstore.client.XenStoreClients;

/**
 * {@code tubes}, the command-line domain: opens or accepts one tube, moves standard input into it
 * and what comes out of it to standard output, and exits 0 once both directions have ended; or
 * lists every tube on the host as dom0 sees them. On the simulated host each invocation joins as a
 * domain of its own; with {@code --xen} it is the Xen domain it runs in.
 */
public final class TubesMain
{
    private static final String USAGE = """
        usage: tubes open PEER [--index I] [--mode stream|packet] [--timeout SECONDS] [--progress] [DOMAIN]
               tubes accept [--from PEER] [--ring-size BYTES] [--timeout SECONDS] [--progress] [DOMAIN]
               tubes ls [--host-dir DIR | --xen]
               tubes COMMAND --help

        DOMAIN is this program's domain: [--name NAME] [--host-dir DIR] on the simulated host (a domain of
        its own, named NAME; DIR defaults to $TUBES_SIM_HOST, else $XDG_RUNTIME_DIR/tubes-sim-host or
        /tmp/tubes-sim-host), or --xen for the Xen domain it runs in.
        """;
    private static final Map<String, String> HELP = Map.of(
        "open", """
            usage: tubes open PEER [--index I] [--mode stream|packet] [--timeout SECONDS] [--progress] [DOMAIN]

            Opens a tube to PEER (a domain name or id) as its nock, then moves standard input into it and
            what the peer sends to standard output. At the end of standard input this side's output ends
            (the peer reads everything, then the end); once the peer's output has ended too, the tube is
            closed and tubes exits 0. --index picks the tube index (default: the lowest free one), --mode
            the mode (stream: bytes; packet: each read of standard input is one packet), --timeout how long
            the peer may take to accept (default 10). --progress prints the tube's name once connected, then
            its counters every second and at the end, on standard error.
            """,
        "accept", """
            usage: tubes accept [--from PEER] [--ring-size BYTES] [--timeout SECONDS] [--progress] [DOMAIN]

            Waits for a peer (any, or PEER) to open a tube to this domain, accepts it as its tip, and moves
            data as tubes open does. --ring-size is the size of each of the tube's two rings (a power of two,
            4096 to 2097152; default 1048576), --timeout how long to wait for a peer (default 30), --progress as
            for tubes open.
            """,
        "ls", """
            usage: tubes ls [--host-dir DIR | --xen]

            Lists every tube on the host as dom0 sees it in XenStore: its name, both ends' states, the tip's
            ring refs and port, and its mode.
            """);

    /** The rings of a tube this command accepts: a stream through a pipe goes faster through bigger rings. */
    private static final int RING_SIZE = 1024 * 1024;

    private TubesMain()
    {
    }

    public static void main(final String[] args)
    {
        Logger.getLogger("").setLevel(Level.WARNING);
        try
        {
            System.exit(run(args));
        }
        catch (final UsageException e)
        {
            System.err.println("tubes: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        catch (final InterruptedException e)
        {
            System.err.println("tubes: interrupted");
            System.exit(1);
        }
        catch (final IOException | RuntimeException e)
        {
            System.err.println("tubes: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A command line that cannot be run: the message says what is wrong with it. */
    private static final class UsageException extends Exception
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }

    private static int run(final String[] args) throws UsageException, IOException, InterruptedException
    {
        if (args.length == 0 || "-h".equals(args[0]) || "--help".equals(args[0]))
        {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        final String command = args[0];
        if (!HELP.containsKey(command))
        {
            throw new UsageException("unknown command '" + command + "'");
        }
        final Deque<String> rest = new ArrayDeque<>(List.of(args).subList(1, args.length));
        final Map<String, String> options = new HashMap<>();
        final List<String> positional = new ArrayList<>();
        while (!rest.isEmpty())
        {
            final String arg = rest.pop();
            if ("-h".equals(arg) || "--help".equals(arg))
            {
                System.out.print(HELP.get(command));
                return 0;
            }
            if ("--xen".equals(arg) || "--progress".equals(arg))
            {
                options.put(arg.substring(2), "");
            }
            else if (arg.startsWith("--"))
            {
                if (rest.isEmpty())
                {
                    throw new UsageException(arg + " needs a value");
                }
                options.put(arg.substring(2), rest.pop());
            }
            else
            {
                positional.add(arg);
            }
        }
        return switch (command)
        {
            case "ls" -> list(options, positional);
            case "open" -> open(options, positional);
            default -> accept(options, positional);
        };
    }

    private static int open(final Map<String, String> options, final List<String> positional)
        throws UsageException, IOException, InterruptedException
    {
        if (positional.size() != 1)
        {
            throw new UsageException("tubes open needs one PEER, a domain name or id");
        }
        allowed(options, "index", "mode", "timeout", "progress", "name", "host-dir", "xen");
        TubeOptions tube = TubeOptions.to(positional.get(0))
            .withOpenTimeout(Duration.ofSeconds(number(options, "timeout", 10)));
        if (options.containsKey("index"))
        {
            tube = tube.withIndex(number(options, "index", 0));
        }
        tube = tube.withMode(mode(options));
        try (Domain domain = Domain.join(options))
        {
            try (Tube opened = domain.tubes.open(tube))
            {
                return moveData(opened, options.containsKey("progress"));
            }
        }
    }

    private static int accept(final Map<String, String> options, final List<String> positional)
        throws UsageException, IOException, InterruptedException
    {
        if (!positional.isEmpty())
        {
            throw new UsageException("tubes accept takes no PEER; use --from PEER");
        }
        allowed(options, "from", "ring-size", "timeout", "progress", "name", "host-dir", "xen");
        final AcceptOptions accept = AcceptOptions.any().withPeer(options.get("from"))
            .withRingSize(number(options, "ring-size", RING_SIZE))
            .withTimeout(Duration.ofSeconds(number(options, "timeout", 30)));
        try (Domain domain = Domain.join(options))
        {
            try (Tube accepted = domain.tubes.accept(accept))
            {
                return moveData(accepted, options.containsKey("progress"));
            }
        }
    }

    /**
     * Standard input into the tube on a thread of its own, the tube to standard output here; 0 once
     * the peer's output ended and this side's input was sent (or the peer closed the tube).
     */
    private static int moveData(final Tube tube, final boolean progress) throws IOException, InterruptedException
    {
        final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "tubes-progress");
            thread.setDaemon(true);
            return thread;
        });
        if (progress)
        {
            System.err.println("tubes: " + tube.id() + " connected as " + tube.role().node() + " with domain "
                + tube.peer() + " (" + tube.peerName() + "), " + tube.mode().node() + ", rings of " + tube.ringSize()
                + " bytes");
            ticker.scheduleAtFixedRate(() -> System.err.println(counters(tube)), 1, 1, TimeUnit.SECONDS);
        }
        try
        {
            return pump(tube);
        }
        finally
        {
            ticker.shutdownNow();
            if (progress)
            {
                System.err.println(counters(tube));
            }
        }
    }

    /** One line of the tube's counters. */
    private static String counters(final Tube tube)
    {
        final TubeCounters c = tube.counters();
        return String.format(Locale.ROOT, "tubes: %s sent %d bytes (%d writes), received %d bytes (%d reads);"
            + " %d kicks, %d waits for room, %d for data", tube.id(), c.bytesSent(), c.packetsSent(), c.bytesReceived(),
            c.packetsReceived(), c.kicks(), c.fullWaits(), c.emptyWaits());
    }

    private static int pump(final Tube tube) throws IOException, InterruptedException
    {
        final CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> send(tube));
        final WritableByteChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
        try (TubeReader reader = tube.reader())
        {
            if (tube.mode() == TubeMode.STREAM)
            {
                // Straight from the ring to standard output: the bytes are copied once, by the write.
                final Output output = new Output(stdout);
                while (reader.readInPlace(output) >= 0)
                {
                    output.check();
                }
                output.check();
            }
            else
            {
                final ByteBuffer buffer = ByteBuffer.allocateDirect(tube.ringSize());
                while (reader.receive(buffer.clear()) != TubeReader.END)
                {
                    writeAll(stdout, buffer.flip());
                }
            }
        }
        // The peer's output ended: wait for this side's input to be sent, or for the peer to close the tube.
        CompletableFuture.anyOf(sent, tube.closed().toCompletableFuture()).join();
        if (sent.isCompletedExceptionally() && !tube.closed().toCompletableFuture().isDone())
        {
            sent.join();
        }
        return 0;
    }

    /** Writes what a read in place hands over to standard output; the first failure is thrown after the read. */
    private static final class Output implements TubeHandler
    {
        private final WritableByteChannel channel;
        private IOException failed;

        Output(final WritableByteChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public void onPacket(final ByteBuffer bytes)
        {
            try
            {
                if (failed == null)
                {
                    writeAll(channel, bytes);
                }
            }
            catch (final IOException e)
            {
                failed = e;
            }
        }

        void check() throws IOException
        {
            if (failed != null)
            {
                throw new IOException("cannot write standard output: " + failed.getMessage(), failed);
            }
        }
    }

    private static void send(final Tube tube)
    {
        try (TubeWriter writer = tube.writer(); FileChannel stdin = new FileInputStream(FileDescriptor.in).getChannel())
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(tube.ringSize());
            final WritableByteChannel out = tube.mode() == TubeMode.STREAM ? writer.channel() : null;
            while (stdin.read(buffer.clear()) >= 0)
            {
                buffer.flip();
                if (out != null)
                {
                    writeAll(out, buffer);
                }
                else
                {
                    writer.send(buffer);
                }
            }
            writer.shutdownOutput();
        }
        catch (final TubeClosedException e)
        {
            System.err.println("tubes: standard input was not all sent: " + e.getMessage());
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e.getMessage(), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeAll(final WritableByteChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    private static int list(final Map<String, String> options, final List<String> positional)
        throws UsageException, IOException
    {
        if (!positional.isEmpty())
        {
            throw new UsageException("tubes ls takes no arguments");
        }
        allowed(options, "host-dir", "xen");
        final Path dom0 = options.containsKey("xen") ? XenStoreAddress.XEN_SOCKET
            : HostLayout.resolve(options.get("host-dir"), System.getenv()).xenstoredSocket();
        try (XenStoreConnection xs = XenStoreClients.connect(XenStoreAddress.of(dom0)))
        {
            final PrintStream out = System.out;
            final List<TubeListing.Row> rows = TubeListing.read(xs);
            out.println(TubeListing.header());
            rows.forEach(row -> out.println(row.line()));
            if (rows.isEmpty())
            {
                out.println("(no tubes)");
            }
        }
        return 0;
    }

    private static TubeMode mode(final Map<String, String> options) throws UsageException
    {
        final String mode = options.getOrDefault("mode", TubeMode.STREAM.node());
        try
        {
            return TubeMode.ofNode(mode);
        }
        catch (final IllegalArgumentException e)
        {
            throw new UsageException("--mode is stream or packet, not '" + mode + "'");
        }
    }

    private static int number(final Map<String, String> options, final String name, final int otherwise)
        throws UsageException
    {
        final String value = options.get(name);
        if (value == null)
        {
            return otherwise;
        }
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException("--" + name + " is a number, not '" + value + "'");
        }
    }

    private static void allowed(final Map<String, String> options, final String... names) throws UsageException
    {
        final List<String> known = List.of(names);
        for (final String option : options.keySet())
        {
            if (!known.contains(option))
            {
                throw new UsageException("unknown option --" + option);
            }
        }
    }

    /** This program's domain: a driver, its XenStore connection and its tube engine, closed in reverse. */
    private record Domain(AutoCloseable driver, XenStoreConnection xs, TubeEngine tubes) implements AutoCloseable
    {
        static Domain join(final Map<String, String> options) throws IOException
        {
            final XenDriver driver;
            final AutoCloseable closer;
            if (options.containsKey("xen"))
            {
                final XenDomainDriver xen = XenDomainDriver.open();
                driver = xen;
                closer = xen;
            }
            else
            {
                final String name = options.getOrDefault("name", "tubes-" + ProcessHandle.current().pid());
                final SimXenDriver sim = SimXenDriver.join(HostLayout.resolve(options.get("host-dir"), System.getenv()),
                    name);
                driver = sim;
                closer = sim;
            }
            XenStoreConnection xs = null;
            try
            {
                xs = XenStoreClients.connect(XenStoreAddress.of(Path.of(driver.xenstorePath())));
                return new Domain(closer, xs, TubeEngines.start(xs, driver));
            }
            catch (final IOException | RuntimeException e)
            {
                if (xs != null)
                {
                    xs.close();
                }
                closeQuietly(closer);
                throw e;
            }
        }

        @Override
        public void close()
        {
            tubes.close();
            xs.close();
            closeQuietly(driver);
        }

        private static void closeQuietly(final AutoCloseable closer)
        {
            try
            {
                closer.close();
            }
            catch (final Exception e)
            {
                System.err.println("tubes: leaving the domain: " + e.getMessage());
            }
        }
    }
}
