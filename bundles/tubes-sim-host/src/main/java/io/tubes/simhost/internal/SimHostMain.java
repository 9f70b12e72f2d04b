package io.tubes.simhost.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.tubes.sim.protocol.ControlChannel;
import io.tubes.sim.protocol.ControlProtocol;
import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * The simulated host from the command line:
 * {@code java -p <jars> -m io.tubes.simhost [--host-dir DIR]} runs it in the foreground;
 * {@code ... status} prints the status view of a running host.
 */
public final class SimHostMain
{
    private SimHostMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        String hostDir = "";
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            if ("--host-dir".equals(args[i]) && i + 1 < args.length)
            {
                hostDir = args[++i];
            }
            else if ("-h".equals(args[i]) || "--help".equals(args[i]))
            {
                usage(0);
            }
            else
            {
                rest.add(args[i]);
            }
        }
        final HostLayout layout = HostLayout.resolve(hostDir, System.getenv());
        if (rest.equals(List.of("status")))
        {
            System.exit(status(layout));
        }
        if (!rest.isEmpty())
        {
            usage(2);
        }
        final SimHost host;
        try
        {
            host = SimHost.start(layout);
        }
        catch (final IOException e)
        {
            System.err.println("tubes-host: " + e.getMessage());
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            host.close();
            stopped.countDown();
        }, "sim-host shutdown"));
        System.out.println("tubes-host: simulated host at " + layout.directory());
        System.out.println("  domains join on   " + layout.controlSocket());
        System.out.println("  dom0 XenStore on  " + layout.xenstoredSocket()
            + "   (XENSTORED_PATH=" + layout.xenstoredSocket() + " xenstore-ls)");
        System.out.flush();
        stopped.await();
    }

    private static int status(final HostLayout layout)
    {
        try (ControlChannel control = ControlChannel.connect(layout.controlSocket()))
        {
            control.writeLine(ControlProtocol.STATUS);
            for (String line = control.readLine(); !ControlProtocol.END.equals(line); line = control.readLine())
            {
                System.out.println(line);
            }
            return 0;
        }
        catch (final IOException e)
        {
            System.err.println("tubes-host: no simulated host answers at " + layout.controlSocket() + ": "
                + e.getMessage() + " (start one, or set --host-dir / TUBES_SIM_HOST)");
            return 1;
        }
    }

    private static void usage(final int exitCode)
    {
        (exitCode == 0 ? System.out : System.err).println(String.join("\n",
            "usage: tubes-host [--host-dir DIR]          run the simulated host in the foreground",
            "       tubes-host [--host-dir DIR] status   show its domains",
            "DIR defaults to $TUBES_SIM_HOST, else $XDG_RUNTIME_DIR/tubes-sim-host or /tmp/tubes-sim-host."));
        System.exit(exitCode);
    }
}
