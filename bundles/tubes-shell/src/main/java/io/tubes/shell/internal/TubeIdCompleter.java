package io.tubes.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import io.tubes.tube.runtime.TubeRuntime;

/** Completes the connected tubes of this domain as PEER/INDEX, which the shell takes without quotes. */
@Service
public class TubeIdCompleter implements Completer
{
    @Reference
    TubeRuntime runtime;

    @Override
    public int complete(final Session session, final CommandLine commandLine, final List<String> candidates)
    {
        final StringsCompleter ids = new StringsCompleter();
        runtime.tubes().forEach(tube -> ids.getStrings().add(Tubes.shortName(tube)));
        return ids.complete(session, commandLine, candidates);
    }
}
