package io.tubes.ring;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.simhost.HostLayout;

/**
 * The peer domain of {@link PeerDeathIT}, killed by the test: joins the host, maps the ring, binds
 * its port, says {@code ready}; then, as {@code idle}, reads nothing, or, as {@code send}, sends
 * packets numbered from 0 and says {@code sent N}; and waits to be killed.
 * Args: role hostDir otherDomid port firstRef pages packets.
 */
public final class RingPeerDeathMain
{
    /** The length of every packet sent. */
    static final int PACKET = 200;

    private RingPeerDeathMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int other = Integer.parseInt(args[2]);
        final int firstRef = Integer.parseInt(args[4]);
        final List<Integer> refs = IntStream.range(firstRef, firstRef + Integer.parseInt(args[5])).boxed().toList();
        try (SimXenDriver driver = SimXenDriver.join(new HostLayout(Path.of(args[1])), "peer");
             EventChannels events = driver.openEventChannels();
             MappedPages pages = driver.grantTable().map(other, refs, true, null))
        {
            final int port = events.bindInterdomain(other, Integer.parseInt(args[3]));
            System.out.println("ready");
            System.out.flush();
            if ("send".equals(args[0]))
            {
                final RingSender sender = new RingSender(RingWriter.attach(pages.buffer()), events, port, 0);
                final int packets = Integer.parseInt(args[6]);
                final ByteBuffer packet = ByteBuffer.allocate(PACKET);
                for (int sequence = 0; sequence < packets; sequence++)
                {
                    sender.send(packet.clear().putInt(0, sequence));
                }
                System.out.println("sent " + packets);
                System.out.flush();
            }
            System.in.read(); // until killed
        }
    }
}
