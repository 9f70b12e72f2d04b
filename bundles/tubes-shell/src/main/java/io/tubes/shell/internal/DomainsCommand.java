package io.tubes.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.tubes.driver.XenDriver;

/** {@code tubes:domains}: the host's domains and what each holds, as the driver sees them. */
@Command(scope = "tubes", name = "domains",
    description = "Shows this domain, and the host's domains with the nodes, grants, mappings and ports each holds")
@Service
public class DomainsCommand implements Action
{
    @Reference
    XenDriver driver;

    @Override
    public Object execute() throws Exception
    {
        System.out.println("this domain: " + driver.description());
        driver.status().forEach(System.out::println);
        return null;
    }
}
