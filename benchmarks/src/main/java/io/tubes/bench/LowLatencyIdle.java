package io.tubes.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code --low-latency-idle}: asks the kernel to keep idle CPUs out of deep sleep while the benchmark
 * runs (Linux PM QoS, what tuned's latency-performance profile does). On a VM a halted vCPU takes
 * tens of microseconds to wake, whatever woke it, and whether a peer's vCPU halts depends on where
 * the scheduler put it; with this, no vCPU halts and latencies compare mechanisms, not placements.
 */
final class LowLatencyIdle
{
    static final String OPTION = "--low-latency-idle";

    private LowLatencyIdle()
    {
    }

    static boolean asked(final String[] args)
    {
        return args.length > 0 && OPTION.equals(args[0]);
    }

    /** The request, in force until the returned file is closed. */
    static FileChannel hold() throws IOException
    {
        final FileChannel qos;
        try
        {
            qos = FileChannel.open(Path.of("/dev/cpu_dma_latency"), StandardOpenOption.WRITE);
        }
        catch (final IOException e)
        {
            throw new IOException(OPTION + " needs to write /dev/cpu_dma_latency (as root): " + e, e);
        }
        qos.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 0));
        return qos;
    }

    static String describe(final boolean held)
    {
        return "idle: " + (held ? "low latency (/dev/cpu_dma_latency held at 0 us)" : "as the machine is (see " + OPTION + ")");
    }
}
