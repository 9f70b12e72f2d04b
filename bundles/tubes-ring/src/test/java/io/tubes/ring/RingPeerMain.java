package io.tubes.ring;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.UnmapNotify;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;

/**
 * The other domain of the ring's cross-process tests: joins the host, connects to the test's port,
 * maps the ring the test's domain granted (with an unmap notification on this side's live word),
 * attaches to it, says {@code ready}, and then, by role:
 * <ul>
 * <li>{@code check} ({@link CrossProcessRingIT}): receives every packet and checks it, sequence
 * numbers in order, checksums right, nothing lost; prints {@code ok N} or {@code error ...};</li>
 * <li>{@code idle} ({@link PeerDeathIT}): attaches as the consumer, reads nothing, and waits to be
 * killed;</li>
 * <li>{@code send} ({@link PeerDeathIT}): sends {@code packets} packets of {@link #PACKET} bytes,
 * numbered from 0, prints {@code sent N}, and waits to be killed.</li>
 * </ul>
 * Args: role hostDir otherDomid port firstRef pages [packets].
 */
public final class RingPeerMain
{
    /** The length of every packet the {@code send} role sends. */
    static final int PACKET = 200;

    private RingPeerMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int other = Integer.parseInt(args[2]);
        final int firstRef = Integer.parseInt(args[4]);
        final List<Integer> refs = IntStream.range(firstRef, firstRef + Integer.parseInt(args[5])).boxed().toList();
        final boolean sends = "send".equals(args[0]);
        try (SimXenDriver driver = SimXenDriver.join(new HostLayout(Path.of(args[1])), "peer");
             EventChannels events = driver.openEventChannels())
        {
            final int port = events.bindInterdomain(other, Integer.parseInt(args[3]));
            // When this process dies, the host clears this side's live word and kicks the port, as Xen would.
            final UnmapNotify liveWord = new UnmapNotify(sends ? RingLayout.PRODUCER_LIVE_OFFSET
                : RingLayout.CONSUMER_LIVE_OFFSET, port);
            try (MappedPages pages = driver.grantTable().map(other, refs, true, liveWord))
            {
                switch (args[0])
                {
                    case "check" -> check(ready(new RingReceiver(RingReader.attach(pages.buffer(), 1 << 16), events,
                        port, Waiting.sleeping())));
                    case "send" -> send(ready(new RingSender(RingWriter.attach(pages.buffer()), events, port,
                        Waiting.sleeping())), Integer.parseInt(args[6]));
                    case "idle" -> // attached, and reads nothing until killed
                    {
                        ready(RingReader.attach(pages.buffer(), 1 << 16));
                        System.in.read();
                    }
                    default -> throw new IllegalArgumentException("no such role: " + args[0] + " (check, idle or send)");
                }
            }
        }
    }

    /** Says it attached, and hands on the side it attached. */
    private static <T> T ready(final T side)
    {
        System.out.println("ready");
        System.out.flush();
        return side;
    }

    private static void check(final RingReceiver receiver) throws Exception
    {
        final ByteBuffer packet = ByteBuffer.allocate(1 << 16);
        final CRC32C crc = new CRC32C();
        long expected = 0;
        for (int length = receiver.receive(packet.clear()); length != RingReader.END;
            length = receiver.receive(packet.clear()))
        {
            final long sequence = packet.getLong(0);
            crc.reset();
            crc.update(packet.array(), 12, length - 12);
            if (sequence != expected || packet.getInt(8) != (int) crc.getValue())
            {
                System.out.println("error packet " + expected + " arrived as sequence " + sequence
                    + (sequence == expected ? " with a bad checksum" : ""));
                return;
            }
            expected++;
        }
        System.out.println("ok " + expected);
    }

    private static void send(final RingSender sender, final int packets) throws Exception
    {
        final ByteBuffer packet = ByteBuffer.allocate(PACKET);
        for (int sequence = 0; sequence < packets; sequence++)
        {
            sender.send(packet.clear().putInt(0, sequence));
        }
        System.out.println("sent " + packets);
        System.out.flush();
        System.in.read(); // until killed
    }
}
