package io.tubes.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.wire.XsPaths;

/** Completes absolute XenStore paths: the children of what is typed so far, as this domain may see them. */
@Service
public class XenStorePathCompleter implements Completer
{
    @Reference
    XenStore xs;

    @Override
    public int complete(final Session session, final CommandLine commandLine, final List<String> candidates)
    {
        final String typed = commandLine.getCursorArgument() == null ? ""
            : commandLine.getCursorArgument().substring(0, commandLine.getArgumentPosition());
        final int slash = typed.lastIndexOf('/');
        final String parent = slash <= 0 ? "/" : typed.substring(0, slash);
        final StringsCompleter children = new StringsCompleter();
        try
        {
            for (final String child : xs.directory(parent))
            {
                children.getStrings().add(XsPaths.child(parent, child));
            }
        }
        catch (final XenStoreException e)
        {
            return -1; // nothing readable there: no candidates
        }
        return children.complete(session, commandLine, candidates);
    }
}
