package io.tubes.driver.sim.internal;

import java.io.IOException;

import io.tubes.sim.protocol.HostLayout;

/**
 * Joins a simulated host as a domain and stays until standard input ends or the process is killed:
 * {@code java -p <jars> -m io.tubes.driver.sim [--host-dir DIR] NAME}. Scripts and tests use it to
 * stand up a domain; it prints {@code joined as domain N (socket PATH)}.
 */
public final class SimDomainMain
{
    private SimDomainMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        String hostDir = "";
        String name = null;
        for (int i = 0; i < args.length; i++)
        {
            if ("--host-dir".equals(args[i]) && i + 1 < args.length)
            {
                hostDir = args[++i];
            }
            else if (name == null && !args[i].startsWith("-"))
            {
                name = args[i];
            }
            else
            {
                name = null;
                break;
            }
        }
        if (name == null)
        {
            System.err.println("usage: tubes-join [--host-dir DIR] NAME   (stays a domain until stdin ends)");
            System.exit(2);
        }
        try (SimDomain domain = SimDomain.join(HostLayout.resolve(hostDir, System.getenv()), name))
        {
            System.out.println("joined as domain " + domain.domid() + " (socket " + domain.xenstoreSocket() + ")");
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // stays a domain until stdin ends
            }
        }
        catch (final IOException | IllegalArgumentException e)
        {
            System.err.println("tubes-join: " + e.getMessage());
            System.exit(1);
        }
    }
}
