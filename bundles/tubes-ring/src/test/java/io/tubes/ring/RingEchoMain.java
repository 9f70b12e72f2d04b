package io.tubes.ring;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;

/**
 * The echoing domain of {@link KickWaitIT}: joins the host, maps the two rings the other domain
 * granted (packets come on the first, go back on the second), connects to its port, and sends every
 * packet back until the first ring ends. It spins a while before it sleeps, so a reply goes out
 * just as the other side, which sleeps whenever it waits, asks for a kick: the moment a kick is lost
 * if either side skips its fence.
 * Args: hostDir peerDomid port firstRefThere firstRefBack pages.
 */
public final class RingEchoMain
{
    private RingEchoMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int peer = Integer.parseInt(args[1]);
        final int pages = Integer.parseInt(args[5]);
        try (SimXenDriver driver = SimXenDriver.join(new HostLayout(Path.of(args[0])), "echo");
             EventChannels events = driver.openEventChannels();
             MappedPages there = driver.grantTable().map(peer, refs(Integer.parseInt(args[3]), pages), true, null);
             MappedPages back = driver.grantTable().map(peer, refs(Integer.parseInt(args[4]), pages), true, null))
        {
            final int port = events.bindInterdomain(peer, Integer.parseInt(args[2]));
            final RingReceiver receiver = new RingReceiver(RingReader.attach(there.buffer(), 64), events, port,
                Waiting.spinning(100_000));
            final RingSender sender = new RingSender(RingWriter.attach(back.buffer()), events, port,
                Waiting.sleeping());
            System.out.println("ready");
            System.out.flush();
            final ByteBuffer packet = ByteBuffer.allocateDirect(64);
            while (receiver.receive(packet.clear()) != RingReader.END)
            {
                sender.send(packet.flip());
            }
        }
    }

    /** The refs of one share: consecutive from its first. */
    private static List<Integer> refs(final int first, final int count)
    {
        return IntStream.range(first, first + count).boxed().toList();
    }
}
