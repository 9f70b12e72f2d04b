package io.tubes.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.xenstore.XenStore;

/** {@code xs:read}: values of nodes, one per line, as xenstore-read prints them. */
@Command(scope = "xs", name = "read", description = "Prints the value of each node, one per line")
@Service
public class ReadCommand implements Action
{
    @Reference
    XenStore xs;

    @Argument(index = 0, name = "paths", description = "Nodes to read", required = true, multiValued = true)
    @Completion(XenStorePathCompleter.class)
    List<String> paths;

    @Override
    public Object execute() throws Exception
    {
        for (final String path : paths)
        {
            System.out.println(XenStorePaths.printable(xs.read(path)));
        }
        return null;
    }
}
