package io.tubes.shell.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.tube.TubeService;
import io.tubes.tube.TubeWriter;

/** {@code tube:send}: sends a line of text as one packet, for checks by hand. */
@Command(scope = "tube", name = "send",
    description = "Sends TEXT through a tube as one packet (UTF-8), waiting up to 5 s for room")
@Service
public class TubeSendCommand implements Action
{
    @Reference
    TubeService tubes;

    @Argument(index = 0, name = "tube", description = Tubes.NAMING, required = true)
    @Completion(TubeIdCompleter.class)
    String id;

    @Argument(index = 1, name = "text", description = "What to send; the words are joined by spaces", required = true,
        multiValued = true)
    List<String> words;

    @Override
    public Object execute() throws Exception
    {
        final byte[] text = String.join(" ", words).getBytes(StandardCharsets.UTF_8);
        try (TubeWriter writer = Tubes.connected(tubes, id).writer())
        {
            if (!writer.send(ByteBuffer.wrap(text), 5, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("tube " + id + " had no room for " + text.length + " bytes within 5 s:"
                    + " the peer does not read");
            }
        }
        System.out.println("sent " + text.length + " bytes");
        return null;
    }
}
