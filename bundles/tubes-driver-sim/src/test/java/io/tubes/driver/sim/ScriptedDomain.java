package io.tubes.driver.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.sun.jna.Native;

import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstore.wire.XsPaths;
import io.tubes.xenstored.XenStored;

/** A {@link ScriptedDomainMain} process, driven from a test. The test kills it when done. */
final class ScriptedDomain implements AutoCloseable
{
    final Process process;
    final int domid;
    private final PrintWriter commands;
    private final BufferedReader replies;

    ScriptedDomain(final Path hostDir, final String name) throws IOException
    {
        final Set<String> classpath = new LinkedHashSet<>();
        for (final Class<?> type : List.of(ScriptedDomainMain.class, SimXenDriver.class, HostLayout.class, SimHost.class,
            XenStored.class, XenStoreClients.class, XsPaths.class, Native.class))
        {
            classpath.add(Processes.jarOf(type));
        }
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-cp", String.join(":", classpath), ScriptedDomainMain.class.getName(), hostDir.toString(),
            name));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final String hello = replies.readLine();
        if (hello == null || !hello.startsWith("domain "))
        {
            process.destroyForcibly();
            throw new IOException("the scripted domain did not join: " + hello);
        }
        domid = Integer.parseInt(hello.substring(7));
    }

    /** Sends a command and returns its one-line answer. */
    String call(final String command) throws IOException
    {
        commands.println(command);
        final String reply = replies.readLine();
        if (reply == null)
        {
            throw new IOException("the scripted domain " + domid + " ended");
        }
        return reply;
    }

    /** The number after the answer's first word ("port 3" gives 3). */
    int number(final String command) throws IOException
    {
        final String reply = call(command);
        try
        {
            return Integer.parseInt(reply.split(" ")[1]);
        }
        catch (final RuntimeException e)
        {
            throw new IOException(command + " answered '" + reply + "'", e);
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroyForcibly().waitFor();
    }
}
