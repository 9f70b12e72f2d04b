package io.tubes.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
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

import io.tubes.ring.PacketHandler;
import io.tubes.ring.RingException;
import io.tubes.ring.RingFormat;
import io.tubes.ring.RingLayout;
import io.tubes.ring.RingReader;
import io.tubes.ring.RingWriter;

/**
 * What the ring's format and code cost single sends: one-way packets between two processes through
 * a tube's ring ({@link RingWriter}, {@link RingReader#poll}), through a bare ring in the same format
 * (each record published by its header) that checks nothing and never sleeps, and through Agrona's
 * ring, in alternating stretches between the same two processes, so that all three see the same
 * placement on the vCPUs. The bare ring is the ceiling of the format, not a ring to use; the gap
 * between it and the tube's ring is what the tube's checks, kick looks and fragments cost.
 *
 * <p>Usage: {@code benchmarks/run-format [packet-size ...]} (default 64 and 1024).
 */
public final class FormatBench
{
    private static final int DATA = 512 * 1024;
    private static final int STRETCHES = 7;
    private static final int WARM_UP_STRETCHES = 2;
    private static final long STRETCH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int BURST = 256;
    private static final String[] KINDS = {"tube", "bare", "agrona"};
    private static final int TUBE = 0;
    private static final int BARE = 1;
    private static final int AGRONA = 2;
    /** Control words, a cache line each: the kind the producer sends now (-1: stop). */
    private static final int KIND = 0;
    private static final int TUBE_AT = 4096;
    private static final int TUBE_SIZE = RingLayout.totalSize(DATA);
    private static final int BARE_AT = TUBE_AT + TUBE_SIZE;
    private static final int AGRONA_AT = BARE_AT + BareRing.SIZE;
    private static final int AGRONA_SIZE = DATA + RingBufferDescriptor.TRAILER_LENGTH;
    private static final int FILE_SIZE = AGRONA_AT + AGRONA_SIZE;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private FormatBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && "--peer".equals(args[0]))
        {
            consume(map(Path.of(args[1])));
            return;
        }
        final int[] sizes = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
            : new int[] {64, 1024};
        final List<String> ratios = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-30s %12s %12s %12s%n", "one way, M packets/s (median)", KINDS[TUBE],
            KINDS[BARE], KINDS[AGRONA]);
        for (final int size : sizes)
        {
            final double[] rate = run(size);
            System.out.printf(Locale.ROOT, "%-30s %12.1f %12.1f %12.1f%n", size + " B packets", rate[TUBE] / 1e6,
                rate[BARE] / 1e6, rate[AGRONA] / 1e6);
            ratios.add(String.format(Locale.ROOT, "tube/agrona %dB %.2fx, bare/agrona %dB %.2fx", size,
                rate[TUBE] / rate[AGRONA], size, rate[BARE] / rate[AGRONA]));
        }
        System.out.println("ratios: " + String.join(", ", ratios));
    }

    /** One pair of processes, all three kinds in turn; the median rate of each. */
    private static double[] run(final int size) throws Exception
    {
        final Path file = Files.createTempFile(Path.of("/dev/shm"), "tubes-format-bench", "");
        Process peer = null;
        try
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                channel.truncate(0).write(ByteBuffer.allocate(FILE_SIZE));
            }
            final MappedByteBuffer shared = map(file);
            final ByteBuffer tubeRing = slice(shared, TUBE_AT, TUBE_SIZE);
            RingFormat.format(tubeRing, DATA, DATA / 2, RingLayout.MODE_PACKET, List.of());
            peer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                FormatBench.class.getName(), "--peer", file.toString()).inheritIO().start();
            final RingWriter tube = RingWriter.attach(tubeRing);
            final BareRing bare = new BareRing(slice(shared, BARE_AT, BareRing.SIZE));
            final OneToOneRingBuffer agrona = new OneToOneRingBuffer(new UnsafeBuffer(shared, AGRONA_AT, AGRONA_SIZE));
            final ByteBuffer packet = ByteBuffer.allocateDirect(size);
            final UnsafeBuffer agronaPacket = new UnsafeBuffer(packet);
            // A loop of its own for each kind, compiled apart: no kind's code slows another's.
            final Process consumer = peer;
            final Burst[] bursts = new Burst[KINDS.length];
            bursts[TUBE] = () ->
            {
                for (int i = 0; i < BURST; i++)
                {
                    for (int waits = 0; tube.write(packet.clear()) != RingWriter.WRITTEN; )
                    {
                        waits = waitForRoom(waits, consumer);
                    }
                    tube.consumerWantsKick();
                }
            };
            bursts[BARE] = () ->
            {
                for (int i = 0; i < BURST; i++)
                {
                    for (int waits = 0; !bare.write(packet.clear()); )
                    {
                        waits = waitForRoom(waits, consumer);
                    }
                }
            };
            bursts[AGRONA] = () ->
            {
                for (int i = 0; i < BURST; i++)
                {
                    for (int waits = 0; !agrona.write(1, agronaPacket, 0, size); )
                    {
                        waits = waitForRoom(waits, consumer);
                    }
                }
            };
            final double[][] rates = new double[KINDS.length][STRETCHES];
            for (int stretch = -WARM_UP_STRETCHES; stretch < STRETCHES; stretch++)
            {
                for (int kind = 0; kind < KINDS.length; kind++)
                {
                    INT.setVolatile(shared, KIND, kind);
                    final long start = System.nanoTime();
                    long sent = 0;
                    long now;
                    do
                    {
                        bursts[kind].send();
                        sent += BURST;
                        now = System.nanoTime();
                    }
                    while (now - start < STRETCH_NANOS);
                    // The next kind starts on an empty ring, whatever this one left in flight.
                    for (int waits = 0; tube.free() < DATA || !bare.drained() || agrona.size() > 0; )
                    {
                        waits = waitForRoom(waits, peer);
                    }
                    if (stretch >= 0)
                    {
                        rates[kind][stretch] = sent / ((now - start) / 1e9);
                    }
                }
            }
            INT.setVolatile(shared, KIND, -1);
            if (!peer.waitFor(10, TimeUnit.SECONDS) || peer.exitValue() != 0)
            {
                throw new IOException("the consuming process failed");
            }
            return Arrays.stream(rates).mapToDouble(FormatBench::median).toArray();
        }
        finally
        {
            if (peer != null)
            {
                peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(file);
        }
    }

    /** {@link #BURST} packets of one kind. */
    @FunctionalInterface
    private interface Burst
    {
        void send() throws RingException, IOException;
    }

    /** One look for packets of one kind; how many were taken. */
    @FunctionalInterface
    private interface Take
    {
        int take() throws RingException;
    }

    /** Spins once; now and then makes sure that the consuming process still lives, or the wait would last forever. */
    private static int waitForRoom(final int waits, final Process peer) throws IOException
    {
        if ((waits & 0xFFFF) == 0xFFFF && !peer.isAlive())
        {
            throw new IOException("the consuming process ended with exit code " + peer.exitValue());
        }
        Thread.onSpinWait();
        return waits + 1;
    }

    /** The consuming process: takes packets of the kind being sent, touching each one's last byte, until told to stop. */
    private static void consume(final MappedByteBuffer shared) throws RingException
    {
        final RingReader tube = RingReader.attach(slice(shared, TUBE_AT, TUBE_SIZE), DATA / 2);
        final BareRing bare = new BareRing(slice(shared, BARE_AT, BareRing.SIZE));
        final OneToOneRingBuffer agrona = new OneToOneRingBuffer(new UnsafeBuffer(shared, AGRONA_AT, AGRONA_SIZE));
        final PacketHandler touch = packet -> packet.get(packet.limit() - 1);
        final MessageHandler agronaTouch = (type, buffer, index, length) -> buffer.getByte(index + length - 1);
        final Take[] takes = new Take[KINDS.length];
        takes[TUBE] = () ->
        {
            final int taken = tube.poll(touch, 64);
            tube.producerWantsKick();
            return taken;
        };
        takes[BARE] = bare::poll;
        takes[AGRONA] = () -> agrona.read(agronaTouch);
        for (int kind = (int) INT.getVolatile(shared, KIND); kind >= 0; kind = (int) INT.getVolatile(shared, KIND))
        {
            consume(shared, kind, takes[kind]);
        }
    }

    /** Takes packets of one kind until told to take another. */
    private static void consume(final ByteBuffer shared, final int kind, final Take take) throws RingException
    {
        while ((int) INT.getVolatile(shared, KIND) == kind)
        {
            if (take.take() == 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    private static double median(final double[] samples)
    {
        final double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static MappedByteBuffer map(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, FILE_SIZE);
        }
    }

    private static ByteBuffer slice(final ByteBuffer shared, final int at, final int length)
    {
        return shared.slice(at, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A bare ring that publishes each record by its header, as a tube's ring does, and nothing else.
     * The producer writes the body, then a zero into the next record's header slot, then the header
     * with release; the consumer takes a non-zero header as a published record. A record that would
     * pass the end leaves a padding header instead and starts over at the beginning. The consumer's
     * position is the first long of the control line; the data follow the control page.
     */
    private static final class BareRing
    {
        static final int SIZE = RingLayout.PAGE_SIZE + DATA;
        private static final int PADDING = -1;

        private final ByteBuffer ring;
        private long producer;
        private long consumerCache;
        private long consumer;
        private long published;

        BareRing(final ByteBuffer ring)
        {
            this.ring = ring;
        }

        boolean write(final ByteBuffer packet)
        {
            final int size = packet.remaining();
            final int record = recordSize(size);
            int at = (int) producer & (DATA - 1);
            if (at + record + Long.BYTES > DATA)
            {
                if (!room(DATA - at + Long.BYTES))
                {
                    return false;
                }
                ring.putLong(RingLayout.PAGE_SIZE, 0);
                INT.setRelease(ring, RingLayout.PAGE_SIZE + at, PADDING);
                producer += DATA - at;
                at = 0;
            }
            if (!room(record + Long.BYTES))
            {
                return false;
            }
            ring.put(RingLayout.PAGE_SIZE + at + RingLayout.HEADER, packet, packet.position(), size);
            ring.putLong(RingLayout.PAGE_SIZE + at + record, 0);
            INT.setRelease(ring, RingLayout.PAGE_SIZE + at, size);
            producer += record;
            return true;
        }

        /** A record's bytes, header and padding included, as in a tube's ring. */
        private static int recordSize(final int size)
        {
            return (RingLayout.HEADER + size + RingLayout.ALIGNMENT - 1) & -RingLayout.ALIGNMENT;
        }

        private boolean room(final int bytes)
        {
            if (DATA - (producer - consumerCache) < bytes)
            {
                consumerCache = (long) LONG.getAcquire(ring, 0);
            }
            return DATA - (producer - consumerCache) >= bytes;
        }

        boolean drained()
        {
            return (long) LONG.getAcquire(ring, 0) == producer;
        }

        int poll()
        {
            int taken = 0;
            while (taken < 64)
            {
                final int at = (int) consumer & (DATA - 1);
                final int size = (int) INT.getAcquire(ring, RingLayout.PAGE_SIZE + at);
                if (size == 0)
                {
                    break;
                }
                if (size == PADDING)
                {
                    consumer += DATA - at;
                    continue;
                }
                ring.get(RingLayout.PAGE_SIZE + ((at + RingLayout.HEADER + size - 1) & (DATA - 1)));
                consumer += recordSize(size);
                taken++;
            }
            if (consumer != published)
            {
                LONG.setRelease(ring, 0, consumer);
                published = consumer;
            }
            return taken;
        }
    }
}
