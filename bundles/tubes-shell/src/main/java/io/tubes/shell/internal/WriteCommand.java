package io.tubes.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.xenstore.XenStore;

/** {@code xs:write}: sets nodes, in one transaction, as xenstore-write does. */
@Command(scope = "xs", name = "write", description = "Writes PATH VALUE pairs, all in one transaction")
@Service
public class WriteCommand implements Action
{
    @Reference
    XenStore xs;

    @Argument(index = 0, name = "pairs", description = "PATH VALUE [PATH VALUE ...]", required = true,
        multiValued = true)
    @Completion(XenStorePathCompleter.class)
    List<String> pairs;

    @Override
    public Object execute() throws Exception
    {
        if (pairs.size() % 2 != 0)
        {
            throw new IllegalArgumentException("xs:write takes PATH VALUE pairs; '" + pairs.get(pairs.size() - 1)
                + "' has no value");
        }
        xs.transaction(tx ->
        {
            for (int i = 0; i < pairs.size(); i += 2)
            {
                tx.write(pairs.get(i), XenStorePaths.bytes(pairs.get(i + 1)));
            }
            return null;
        });
        return null;
    }
}
