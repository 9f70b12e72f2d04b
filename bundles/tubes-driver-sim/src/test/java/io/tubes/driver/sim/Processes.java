package io.tubes.driver.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Native;

import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;
import io.tubes.xenstore.client.XenStoreClients;
import io.tubes.xenstore.wire.XsPaths;
import io.tubes.xenstored.XenStored;

/**
 * Starts the project's programs as real processes on the plain module path, and kills every one
 * of them when the test ends, however it ends.
 */
final class Processes implements AutoCloseable
{
    private final List<Process> started = new ArrayList<>();

    /** Runs {@code java -p <all Tubes jars> -m MODULE ARGS...}; its stdin stays open until it is killed. */
    Process module(final String module, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-p", modulePath(), "-m", module));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(process);
        return process;
    }

    /** Reads the process's output until a line starts with {@code prefix}, and returns that line. */
    static String lineStartingWith(final Process process, final String prefix) throws IOException
    {
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine())
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
            seen.append(line).append('\n');
        }
        return fail("the process ended without printing '" + prefix + "...'; it printed:\n" + seen);
    }

    private static String modulePath()
    {
        final List<String> jars = new ArrayList<>();
        for (final Class<?> type : List.of(XsPaths.class, XenStored.class, XenStoreClients.class, HostLayout.class, SimHost.class,
            Native.class))
        {
            jars.add(jarOf(type));
        }
        jars.add(System.getProperty("driver.jar"));
        return String.join(":", jars);
    }

    /** Where a class was loaded from: a jar, or a classes directory. */
    static String jarOf(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException e)
        {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        for (final Process process : started)
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
