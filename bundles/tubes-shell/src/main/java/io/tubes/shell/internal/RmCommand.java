package io.tubes.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.xenstore.XenStore;

/** {@code xs:rm}: removes nodes and everything below them. */
@Command(scope = "xs", name = "rm", description = "Removes nodes and everything below them")
@Service
public class RmCommand implements Action
{
    @Reference
    XenStore xs;

    @Argument(index = 0, name = "paths", description = "Nodes to remove", required = true, multiValued = true)
    @Completion(XenStorePathCompleter.class)
    List<String> paths;

    @Override
    public Object execute() throws Exception
    {
        for (final String path : paths)
        {
            xs.rm(path);
        }
        return null;
    }
}
