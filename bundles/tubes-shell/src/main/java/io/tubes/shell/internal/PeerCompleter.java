package io.tubes.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import io.tubes.driver.DriverException;
import io.tubes.driver.XenDriver;
import io.tubes.tube.runtime.TubeRuntime;

/** Completes the names of the domains a tube may go to: those the driver knows, and the peers of open tubes. */
@Service
public class PeerCompleter implements Completer
{
    @Reference
    XenDriver driver;

    @Reference
    TubeRuntime runtime;

    @Override
    public int complete(final Session session, final CommandLine commandLine, final List<String> candidates)
    {
        final StringsCompleter peers = new StringsCompleter();
        try
        {
            driver.domainNames().forEach((id, name) ->
            {
                if (id != driver.domid())
                {
                    peers.getStrings().add(name);
                }
            });
        }
        catch (final DriverException e)
        {
            // the toolstack tells no names here: the peers of open tubes still complete
        }
        runtime.tubes().forEach(tube -> peers.getStrings().add(tube.role.equals("nock") ? tube.tipName
            : tube.nockName));
        return peers.complete(session, commandLine, candidates);
    }
}
