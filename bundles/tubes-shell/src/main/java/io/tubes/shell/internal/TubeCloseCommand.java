package io.tubes.shell.internal;

import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeService;

/** {@code tube:close}: closes a tube with the handshake's close; a declared tube is opened again. */
@Command(scope = "tube", name = "close",
    description = "Closes a tube: the peer reads what was sent and confirms; a tube declared in etc/ is opened again")
@Service
public class TubeCloseCommand implements Action
{
    @Reference
    TubeService tubes;

    @Argument(index = 0, name = "tube", description = Tubes.NAMING, required = true)
    @Completion(TubeIdCompleter.class)
    String id;

    @Override
    public Object execute() throws Exception
    {
        final Tube tube = Tubes.connected(tubes, id);
        tube.close();
        final String reason = tube.closed().toCompletableFuture().get(1, TimeUnit.SECONDS);
        System.out.println("tube " + tube.id() + " closed: " + reason);
        return null;
    }
}
