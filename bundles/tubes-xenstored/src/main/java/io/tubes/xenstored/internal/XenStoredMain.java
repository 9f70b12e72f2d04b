package io.tubes.xenstored.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.tubes.xenstored.XenStored;

/**
 * Runs xenstored on its own until interrupted:
 * {@code java -p tubes-api.jar:tubes-xenstored.jar -m io.tubes.xenstored DIR}.
 */
public final class XenStoredMain
{
    private XenStoredMain()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException
    {
        if (args.length != 1 || args[0].startsWith("-"))
        {
            System.err.println("usage: xenstored DIR");
            System.err.println("  Serves XenStore on DIR/socket (dom0) and DIR/domain/N (introduced domains).");
            System.err.println("  Xen's tools reach it with XENSTORED_PATH=DIR/socket, e.g. xenstore-ls.");
            System.exit(args.length == 1 && ("-h".equals(args[0]) || "--help".equals(args[0])) ? 0 : 2);
        }
        final XenStored xenstored;
        try
        {
            xenstored = XenStored.start(Path.of(args[0]));
        }
        catch (final IOException e)
        {
            System.err.println("xenstored: cannot start in " + args[0] + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            xenstored.close();
            stopped.countDown();
        }, "xenstored shutdown"));
        System.out.println("xenstored listening on " + xenstored.dom0Socket()
            + " (dom0); domains connect on " + xenstored.directory().resolve("domain") + "/N");
        System.out.flush();
        stopped.await();
    }
}
