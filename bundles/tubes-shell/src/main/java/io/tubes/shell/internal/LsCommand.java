package io.tubes.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.xenstore.XenStore;

/** {@code xs:ls}: the tree below a path, as Xen's xenstore-ls shows it. */
@Command(scope = "xs", name = "ls", description = "Lists the XenStore tree below a path, as xenstore-ls does")
@Service
public class LsCommand implements Action
{
    @Reference
    XenStore xs;

    @Argument(index = 0, name = "path", description = "Where to start (default /); relative paths are under this domain's home")
    @Completion(XenStorePathCompleter.class)
    String path = "/";

    @Option(name = "-p", aliases = "--perms", description = "Show each node's permissions, owner first")
    boolean perms;

    @Override
    public Object execute() throws Exception
    {
        XenStorePaths.ls(xs, path, perms).forEach(System.out::println);
        return null;
    }
}
