package io.tubes.ring;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.simhost.HostLayout;

/**
 * The receiving domain of {@link CrossProcessRingIT}: joins the host, maps the ring the sender
 * granted, connects to its port, and checks every packet: sequence numbers in order, checksums
 * right, nothing lost. Prints {@code ok N} or {@code error ...}.
 * Args: hostDir senderDomid port firstRef pages.
 */
public final class RingPeerMain
{
    private RingPeerMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int sender = Integer.parseInt(args[1]);
        final int firstRef = Integer.parseInt(args[3]);
        final List<Integer> refs = IntStream.range(firstRef, firstRef + Integer.parseInt(args[4])).boxed().toList();
        try (SimXenDriver driver = SimXenDriver.join(new HostLayout(Path.of(args[0])), "receiver");
             EventChannels events = driver.openEventChannels();
             MappedPages pages = driver.grantTable().map(sender, refs, true, null))
        {
            final int port = events.bindInterdomain(sender, Integer.parseInt(args[2]));
            System.out.println("ready");
            System.out.flush();
            final RingReceiver receiver = new RingReceiver(RingReader.attach(pages.buffer(), 1 << 16), events, port, 0);
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
    }
}
