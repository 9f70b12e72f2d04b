package io.tubes.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStore;

/** {@code xs:perms}: shows a node's permissions, or sets them as xenstore-chmod does. */
@Command(scope = "xs", name = "perms",
    description = "Shows a node's permissions (owner first), or sets them: xs:perms PATH n1 r2 b3")
@Service
public class PermsCommand implements Action
{
    @Reference
    XenStore xs;

    @Argument(index = 0, name = "path", description = "The node", required = true)
    @Completion(XenStorePathCompleter.class)
    String path;

    @Argument(index = 1, name = "perms", description = "New permissions: n|r|w|b followed by a domid, owner first",
        multiValued = true)
    List<String> perms;

    @Override
    public Object execute() throws Exception
    {
        if (perms == null || perms.isEmpty())
        {
            System.out.println(XenStorePaths.join(xs.getPermissions(path)));
            return null;
        }
        final List<Permission> parsed = new ArrayList<>();
        for (final String perm : perms)
        {
            parsed.add(Permission.parse(perm));
        }
        xs.setPermissions(path, parsed);
        return null;
    }
}
