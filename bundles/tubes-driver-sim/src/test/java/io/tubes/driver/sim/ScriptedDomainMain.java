package io.tubes.driver.sim;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tubes.driver.EventChannels;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.UnmapNotify;
import io.tubes.sim.protocol.HostLayout;

/**
 * A domain process that a test drives line by line on stdin; each command answers one line on
 * stdout, {@code error ...} when the driver refused. Commands: {@code share DOMID COUNT [NOTIFY_PORT]},
 * {@code map DOMID REF}, {@code put OFFSET TEXT}, {@code get OFFSET LENGTH}, {@code unbound DOMID},
 * {@code bind DOMID PORT}, {@code notify PORT}, {@code wait MS}, {@code unmask PORT}.
 */
public final class ScriptedDomainMain
{
    private ScriptedDomainMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (SimXenDriver driver = SimXenDriver.join(new HostLayout(java.nio.file.Path.of(args[0])), args[1]);
             EventChannels events = driver.openEventChannels())
        {
            System.out.println("domain " + driver.domid());
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            ByteBuffer pages = null;
            for (String line = in.readLine(); line != null; line = in.readLine())
            {
                final String[] w = line.split(" ");
                try
                {
                    switch (w[0])
                    {
                        case "share":
                        {
                            final UnmapNotify notify = w.length > 3 ? new UnmapNotify(0, Integer.parseInt(w[3])) : null;
                            final SharedPages shared = driver.grantTable().share(Integer.parseInt(w[1]),
                                Integer.parseInt(w[2]), true, notify);
                            pages = shared.buffer();
                            System.out.println("refs " + shared.refs().get(0));
                            break;
                        }
                        case "map":
                        {
                            final MappedPages mapped = driver.grantTable().map(Integer.parseInt(w[1]),
                                List.of(Integer.parseInt(w[2])), true, null);
                            pages = mapped.buffer();
                            System.out.println("mapped");
                            break;
                        }
                        case "put":
                            pages.put(Integer.parseInt(w[1]), w[2].getBytes(StandardCharsets.UTF_8));
                            System.out.println("ok");
                            break;
                        case "get":
                        {
                            final byte[] bytes = new byte[Integer.parseInt(w[2])];
                            pages.get(Integer.parseInt(w[1]), bytes);
                            System.out.println("got " + new String(bytes, StandardCharsets.UTF_8));
                            break;
                        }
                        case "unbound":
                            System.out.println("port " + events.bindUnbound(Integer.parseInt(w[1])));
                            break;
                        case "bind":
                            System.out.println("port " + events.bindInterdomain(Integer.parseInt(w[1]),
                                Integer.parseInt(w[2])));
                            break;
                        case "notify":
                            events.notify(Integer.parseInt(w[1]));
                            System.out.println("ok");
                            break;
                        case "wait":
                        {
                            final int port = events.pending(Long.parseLong(w[1]), TimeUnit.MILLISECONDS);
                            System.out.println(port < 0 ? "timeout" : "pending " + port);
                            break;
                        }
                        case "unmask":
                            events.unmask(Integer.parseInt(w[1]));
                            System.out.println("ok");
                            break;
                        default:
                            System.out.println("error unknown command " + w[0]);
                    }
                }
                catch (final Exception e)
                {
                    System.out.println("error " + e.getMessage());
                }
                System.out.flush();
            }
        }
    }
}
