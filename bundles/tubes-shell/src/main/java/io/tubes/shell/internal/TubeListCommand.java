package io.tubes.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import io.tubes.tube.runtime.TubeDTO;
import io.tubes.tube.runtime.TubeRuntime;

/** {@code tube:list}: this domain's tubes, one line each. */
@Command(scope = "tube", name = "list",
    description = "Lists this domain's connected tubes: id, peer, index, role, mode, state, what moved each way,"
        + " ring size")
@Service
public class TubeListCommand implements Action
{
    @Reference
    TubeRuntime runtime;

    @Option(name = "-c", aliases = "--closed", description = "List the tubes that closed last instead, with why")
    boolean closed;

    @Override
    public Object execute()
    {
        final ShellTable table = new ShellTable();
        table.column("ID");
        table.column("PEER");
        table.column("INDEX").alignRight();
        table.column("ROLE");
        table.column("MODE");
        table.column("STATE");
        if (closed)
        {
            table.column("REASON");
        }
        else
        {
            table.column("SENT").alignRight();
            table.column("RECEIVED").alignRight();
            table.column("RING").alignRight();
        }
        for (final TubeDTO tube : closed ? runtime.closedTubes() : runtime.tubes())
        {
            final String peer = "nock".equals(tube.role) ? tube.tipName + " (" + tube.tip + ")"
                : tube.nockName + " (" + tube.nock + ")";
            if (closed)
            {
                table.addRow().addContent(tube.id, peer, tube.index, tube.role, tube.mode, "CLOSED", tube.closeReason);
            }
            else
            {
                table.addRow().addContent(tube.id, peer, tube.index, tube.role, tube.mode, tube.state,
                    tube.packetsSent + " / " + bytes(tube.bytesSent), tube.packetsReceived + " / "
                        + bytes(tube.bytesReceived), bytes(tube.ringSize));
            }
        }
        table.print(System.out);
        return null;
    }

    /** Bytes as a person reads them: 512 B, 64 KiB, 3.2 MiB. */
    static String bytes(final long count)
    {
        if (count < 1024)
        {
            return count + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? Long.toString((long) value) : String.format("%.1f", value)) + " "
            + units[unit];
    }
}
