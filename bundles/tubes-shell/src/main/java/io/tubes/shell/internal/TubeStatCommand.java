package io.tubes.shell.internal;

import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.tube.runtime.TubeDTO;
import io.tubes.tube.runtime.TubeRuntime;

/** {@code tube:stat}: everything the runtime view knows of one tube. */
@Command(scope = "tube", name = "stat",
    description = "Shows one tube: both domains, role, mode, state, XenStore paths, refs and port, counters, when it"
        + " connected, and why it closed if it did")
@Service
public class TubeStatCommand implements Action
{
    @Reference
    TubeRuntime runtime;

    @Argument(index = 0, name = "tube", description = Tubes.NAMING, required = true)
    @Completion(TubeIdCompleter.class)
    String id;

    @Override
    public Object execute()
    {
        TubeDTO tube = Tubes.dto(runtime.tubes(), id);
        if (tube == null)
        {
            tube = Tubes.dto(runtime.closedTubes(), id);
        }
        if (tube == null)
        {
            throw new IllegalArgumentException("this domain has no tube " + id
                + ", and none of that name closed lately; tube:list shows its tubes");
        }
        line("id", tube.id);
        line("nock", tube.nockName + " (domain " + tube.nock + "), " + tube.nockDir);
        line("tip", tube.tipName + " (domain " + tube.tip + "), " + tube.tipDir);
        line("this end", tube.role + ", " + tube.mode + " mode, state " + tube.state);
        line("rings", TubeListCommand.bytes(tube.ringSize) + " each; tx-ring-ref " + tube.txRingRef + ", rx-ring-ref "
            + tube.rxRingRef + ", event-channel " + tube.eventChannel);
        line("sent", tube.packetsSent + " packets, " + TubeListCommand.bytes(tube.bytesSent) + "; waited for room "
            + tube.fullWaits + " times");
        line("received", tube.packetsReceived + " packets, " + TubeListCommand.bytes(tube.bytesReceived)
            + "; waited for data " + tube.emptyWaits + " times");
        line("kicks sent", Long.toString(tube.kicks));
        line("connected", Instant.ofEpochMilli(tube.connectedAt).toString());
        if (tube.closeReason != null)
        {
            line("closed", Instant.ofEpochMilli(tube.closedAt) + ": " + tube.closeReason);
        }
        else
        {
            line("service", "Tube service " + tube.serviceId);
        }
        return null;
    }

    private static void line(final String what, final String value)
    {
        System.out.printf("%-11s %s%n", what, value);
    }
}
