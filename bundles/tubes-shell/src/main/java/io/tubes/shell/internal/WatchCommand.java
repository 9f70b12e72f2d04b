package io.tubes.shell.internal;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.xenstore.Watch;
import io.tubes.xenstore.XenStore;

/** {@code xs:watch}: prints each change below a path until Ctrl-C, a count or a timeout. */
@Command(scope = "xs", name = "watch",
    description = "Prints each changed path below PATH (or @introduceDomain, @releaseDomain) until Ctrl-C")
@Service
public class WatchCommand implements Action
{
    @Reference
    XenStore xs;

    @Argument(index = 0, name = "path", description = "What to watch", required = true)
    @Completion(XenStorePathCompleter.class)
    String path;

    @Option(name = "-n", description = "Stop after this many events (the first fires when the watch is set)")
    int count = Integer.MAX_VALUE;

    @Option(name = "-t", aliases = "--timeout", description = "Stop after this many seconds")
    long timeoutSeconds = Long.MAX_VALUE / 1_000_000_000L;

    @Override
    public Object execute() throws Exception
    {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try (Watch watch = xs.watch(path, events::add))
        {
            for (int seen = 0; seen < count; seen++)
            {
                final String event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null)
                {
                    break;
                }
                System.out.println(event);
                System.out.flush();
            }
        }
        return null;
    }
}
