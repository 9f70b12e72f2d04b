package io.tubes.driver.sim.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.tubes.driver.DriverException;
import io.tubes.sim.protocol.ControlChannel;
import io.tubes.sim.protocol.ControlProtocol;
import io.tubes.sim.protocol.HostLayout;

/**
 * This process as a domain of a simulated host: joining gives it a domain id and its own XenStore
 * socket; it stays a domain while the control connection is open, and the host releases it when the
 * connection closes, however this process ends.
 */
public final class SimDomain implements AutoCloseable
{
    private final HostLayout layout;
    private final String name;
    private final ControlChannel control;
    private final int domid;

    private SimDomain(final HostLayout layout, final String name, final ControlChannel control, final int domid)
    {
        this.layout = layout;
        this.name = name;
        this.control = control;
        this.domid = domid;
    }

    /**
     * Joins the host of {@code layout} as a domain called {@code name}.
     *
     * @throws IOException saying why: no host there, the name is taken or invalid
     */
    public static SimDomain join(final HostLayout layout, final String name) throws IOException
    {
        if (!ControlProtocol.DOMAIN_NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("domain name must match " + ControlProtocol.DOMAIN_NAME.pattern()
                + ": '" + name + "'");
        }
        final ControlChannel control;
        try
        {
            control = ControlChannel.connect(layout.controlSocket());
        }
        catch (final IOException e)
        {
            throw new IOException("no simulated host answers at " + layout.controlSocket() + " (" + e.getMessage()
                + "); start one with tubes-host, or point --host-dir / TUBES_SIM_HOST at a running one", e);
        }
        try
        {
            control.writeLine(ControlProtocol.JOIN + " " + name + " " + ProcessHandle.current().pid());
            final String reply = control.readLine();
            if (!reply.startsWith(ControlProtocol.OK + " "))
            {
                throw new IOException("the simulated host at " + layout.directory() + " refused domain '" + name
                    + "': " + reply.substring(Math.min(reply.length(), ControlProtocol.ERROR.length() + 1)));
            }
            return new SimDomain(layout, name, control, Integer.parseInt(reply.substring(3).trim()));
        }
        catch (final IOException | RuntimeException e)
        {
            control.close();
            throw e;
        }
    }

    public int domid()
    {
        return domid;
    }

    public String name()
    {
        return name;
    }

    public HostLayout layout()
    {
        return layout;
    }

    /** This domain's own XenStore socket: whatever connects there is this domain. */
    public Path xenstoreSocket()
    {
        return layout.domainXenstoreSocket(domid);
    }

    /**
     * Sends one request to the host and returns the words of its {@code ok} reply after {@code ok}.
     *
     * @throws DriverException with the host's reason when it refuses, or when the host is gone
     */
    synchronized String[] request(final String line) throws DriverException
    {
        final String reply;
        try
        {
            control.writeLine(line);
            reply = control.readLine();
        }
        catch (final IOException e)
        {
            throw new DriverException("the simulated host at " + layout.directory() + " did not answer '" + line
                + "': " + e.getMessage(), e);
        }
        if (reply.startsWith(ControlProtocol.ERROR + " "))
        {
            throw new DriverException(reply.substring(ControlProtocol.ERROR.length() + 1));
        }
        final String[] words = reply.split(" ");
        return Arrays.copyOfRange(words, 1, words.length);
    }

    /** The host's status view, one line per line. */
    List<String> status() throws DriverException
    {
        return lines(ControlProtocol.STATUS, "its status");
    }

    /** The joined domains' names by id, as the host tells them. */
    Map<Integer, String> domainNames() throws DriverException
    {
        final Map<Integer, String> names = new LinkedHashMap<>();
        for (final String line : lines(ControlProtocol.DOMAINS, "the domains' names"))
        {
            final int space = line.indexOf(' ');
            try
            {
                names.put(Integer.valueOf(line.substring(0, space)), line.substring(space + 1));
            }
            catch (final RuntimeException e)
            {
                throw new DriverException("the simulated host at " + layout.directory() + " sent a bad domain line '"
                    + line + "'", e);
            }
        }
        return names;
    }

    /** The lines the host answers {@code request} with, up to its {@code end}. */
    private synchronized List<String> lines(final String request, final String what) throws DriverException
    {
        final List<String> lines = new ArrayList<>();
        try
        {
            control.writeLine(request);
            for (String line = control.readLine(); !ControlProtocol.END.equals(line); line = control.readLine())
            {
                lines.add(line);
            }
        }
        catch (final IOException e)
        {
            throw new DriverException("the simulated host at " + layout.directory() + " did not send " + what + ": "
                + e.getMessage(), e);
        }
        return lines;
    }

    /** Leaves the host, which releases the domain. */
    @Override
    public void close() throws IOException
    {
        control.close();
    }
}
