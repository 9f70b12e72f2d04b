package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.EventChannels;
import io.tubes.driver.SharedPages;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * Two processes, two domains of a simulated host, one ring in granted pages: packets of random sizes
 * with sequence numbers and checksums (10^7 by default, {@code -Dring.packets=N}) arrive all, in order,
 * intact. The sender never drops: a full ring makes it wait for the receiver's kick.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrossProcessRingIT
{
    private static final int DATA_SIZE = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void everyPacketArrivesInOrderAndIntact() throws Exception
    {
        final long packets = Long.parseLong(System.getProperty("ring.packets", "10000000"));
        final int pages = RingLayout.totalSize(DATA_SIZE) / RingLayout.PAGE_SIZE;
        Process receiver = null;
        try (SimHost host = SimHost.start(new HostLayout(dir));
             SimXenDriver self = SimXenDriver.join(host.layout(), "sender");
             EventChannels events = self.openEventChannels())
        {
            final int receiverDomid = self.domid() + 1;
            try (SharedPages shared = self.grantTable().share(receiverDomid, pages, true, null))
            {
                RingFormat.format(shared.buffer(), DATA_SIZE, 1 << 16, RingLayout.MODE_PACKET, List.of());
                final int port = events.bindUnbound(receiverDomid);
                receiver = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), RingPeerMain.class.getName(), "check", dir.toString(),
                    Integer.toString(self.domid()), Integer.toString(port), Integer.toString(shared.refs().get(0)),
                    Integer.toString(pages)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                final BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                    StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine());
                final long started = System.nanoTime();
                send(new RingSender(RingWriter.attach(shared.buffer()), events, port, Waiting.sleeping()), packets);
                assertEquals("ok " + packets, out.readLine());
                final double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("%d packets across processes in %.1f s (%.2f M packets/s)%n", packets, seconds,
                    packets / seconds / 1e6);
            }
        }
        finally
        {
            if (receiver != null)
            {
                receiver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void send(final RingSender sender, final long packets) throws Exception
    {
        final Random random = new Random(7);
        final ByteBuffer packet = ByteBuffer.allocate(1 << 16);
        final CRC32C crc = new CRC32C();
        for (long sequence = 0; sequence < packets; sequence++)
        {
            // Mostly small packets; every thousandth larger than a quarter of the ring.
            final int length = 12 + random.nextInt(sequence % 1000 == 0 ? 40_000 : 240);
            packet.clear().putLong(0, sequence);
            for (int i = 12; i < length; i += 8)
            {
                packet.putLong(i, random.nextLong());
            }
            crc.reset();
            crc.update(packet.array(), 12, length - 12);
            packet.putInt(8, (int) crc.getValue()).limit(length);
            sender.send(packet);
        }
        sender.close();
    }
}
