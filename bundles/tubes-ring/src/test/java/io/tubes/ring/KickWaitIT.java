package io.tubes.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.driver.EventChannels;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.simhost.HostLayout;
import io.tubes.simhost.SimHost;

/** How a side sleeps on a real event channel of the simulated host. */
class KickWaitIT
{
    @TempDir
    Path dir;

    @Test
    void aSleeperWhoseRequestWasMissedLooksAgainAfterTheGraceNotAfterItsLongSleep() throws Exception
    {
        try (SimHost host = SimHost.start(new HostLayout(dir));
             SimXenDriver a = SimXenDriver.join(host.layout(), "a");
             SimXenDriver b = SimXenDriver.join(host.layout(), "b");
             EventChannels events = a.openEventChannels())
        {
            final int port = events.bindUnbound(b.domid());
            // The peer published just as this side asked, read the request as unset and sent no kick:
            // the first look misses the data, the second finds it.
            final AtomicInteger looks = new AtomicInteger();
            final AtomicInteger requests = new AtomicInteger();
            final long started = System.nanoTime();
            KickWait.await(() -> looks.incrementAndGet() > 1, requests::incrementAndGet, events, port, 0,
                Long.MAX_VALUE);
            final long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(1, requests.get(), "asked for a kick once");
            assertEquals(2, looks.get(), "looked before sleeping and once after the grace");
            assertTrue(tookMillis < 500, "woke after the grace, not after a long sleep: " + tookMillis + " ms");
        }
    }
}
