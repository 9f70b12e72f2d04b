package io.tubes.example.echo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The same echo over TCP on the loopback, for comparing a tube with what appliances use without
 * one: runs while {@code etc/io.tubes.example.echo.tcp.cfg} gives a {@code port}.
 */
@Component(configurationPid = "io.tubes.example.echo.tcp", configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class TcpEchoComponent
{
    private static final Logger LOG = Logger.getLogger(TcpEchoComponent.class.getName());
    private final ServerSocket server;

    /** The configuration: the loopback port to listen on. */
    @interface Config
    {
        int port();
    }

    @Activate
    public TcpEchoComponent(final Config config) throws IOException
    {
        server = new ServerSocket(config.port(), 8, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::serve, "echo tcp " + config.port());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.log(Level.INFO, "echoing TCP on port {0}", config.port());
    }

    private void serve()
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket client = server.accept();
                final Thread echo = new Thread(() -> echo(client), "echo tcp " + client.getRemoteSocketAddress());
                echo.setDaemon(true);
                echo.start();
            }
            catch (final IOException e)
            {
                return; // closed
            }
        }
    }

    private static void echo(final Socket client)
    {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream())
        {
            client.setTcpNoDelay(true);
            final byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                out.write(buffer, 0, n);
            }
        }
        catch (final IOException e)
        {
            LOG.log(Level.FINE, "a TCP echo ended: {0}", e.getMessage());
        }
    }

    @Deactivate
    void stop() throws IOException
    {
        server.close();
    }
}
