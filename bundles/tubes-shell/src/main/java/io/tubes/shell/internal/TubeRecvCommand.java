package io.tubes.shell.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeService;

/** {@code tube:recv}: prints the packets that arrive, as text, for checks by hand. */
@Command(scope = "tube", name = "recv",
    description = "Prints the packets that arrive through a tube as UTF-8 text, until a count or a timeout")
@Service
public class TubeRecvCommand implements Action
{
    @Reference
    TubeService tubes;

    @Argument(index = 0, name = "tube", description = Tubes.NAMING, required = true)
    @Completion(TubeIdCompleter.class)
    String id;

    @Option(name = "-n", description = "Stop after this many packets (default 1)")
    int count = 1;

    @Option(name = "-t", aliases = "--timeout", description = "Seconds to wait for each packet (default 5)")
    long timeoutSeconds = 5;

    @Override
    public Object execute() throws Exception
    {
        final Tube tube = Tubes.connected(tubes, id);
        final ByteBuffer packet = ByteBuffer.allocate(tube.ringSize());
        try (TubeReader reader = tube.reader())
        {
            for (int received = 0; received < count; received++)
            {
                packet.clear();
                final int length = reader.receive(packet, timeoutSeconds, TimeUnit.SECONDS);
                if (length == TubeReader.END)
                {
                    System.out.println("(the peer closed the tube)");
                    break;
                }
                if (length == TubeReader.NONE)
                {
                    System.out.println("(nothing arrived within " + timeoutSeconds + " s)");
                    break;
                }
                System.out.println(new String(packet.array(), 0, length, StandardCharsets.UTF_8));
            }
        }
        return null;
    }
}
