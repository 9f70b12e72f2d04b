package io.tubes.shell.internal;

import java.time.Duration;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeService;
import io.tubes.tube.runtime.TubeDTO;
import io.tubes.tube.runtime.TubeRuntime;

/** {@code tube:open}: opens a tube to a peer; it stays open (a Tube service) until tube:close or the peer ends it. */
@Command(scope = "tube", name = "open",
    description = "Opens a tube to PEER and waits until it is connected; it is then a Tube service until tube:close")
@Service
public class TubeOpenCommand implements Action
{
    @Reference
    TubeService tubes;

    @Reference
    TubeRuntime runtime;

    @Argument(index = 0, name = "peer", description = "The peer domain: its name or its domain id", required = true)
    @Completion(PeerCompleter.class)
    String peer;

    @Option(name = "-i", aliases = "--index", description = "The tube's index (default: the lowest free one)")
    int index = TubeOptions.ANY_INDEX;

    @Option(name = "-m", aliases = "--mode", description = "packet (default) or stream")
    @Completion(value = StringsCompleter.class, values = {"packet", "stream"})
    String mode = "packet";

    @Option(name = "-t", aliases = "--timeout", description = "Seconds to wait for the peer to answer (default 10)")
    long timeoutSeconds = 10;

    @Override
    public Object execute() throws Exception
    {
        final TubeMode parsed;
        try
        {
            parsed = TubeMode.ofNode(mode);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("--mode is packet or stream, not '" + mode + "'");
        }
        final long called = System.currentTimeMillis();
        final Tube tube = tubes.open(TubeOptions.to(peer).withIndex(index).withMode(parsed)
            .withOpenTimeout(Duration.ofSeconds(timeoutSeconds)));
        System.out.println("tube " + tube.id() + " connected: " + tube.mode().node() + ", rings of "
            + TubeListCommand.bytes(tube.ringSize()) + ", its Tube service registered " + registeredAfter(tube, called)
            + "; tube:close " + tube.peerName() + "/" + tube.index() + " closes it");
        return null;
    }

    /** How long after {@code called} the tube's service was registered, as the runtime view tells it. */
    private String registeredAfter(final Tube tube, final long called) throws InterruptedException
    {
        for (int tries = 0; tries < 1000; tries++)
        {
            final TubeDTO dto = runtime.tube(tube.id().toString()).orElse(null);
            if (dto != null && dto.serviceId >= 0)
            {
                return (dto.connectedAt - called) + " ms after the call";
            }
            Thread.sleep(1);
        }
        return "(not yet)";
    }
}
