package io.tubes.xenstored;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tubes.xenstore.wire.XsPaths;

/**
 * xenstored as its own process, started by its documented command line on the plain module path
 * ({@code java -p api.jar:xenstored.jar -m io.tubes.xenstored DIR}), killed and started again.
 */
// Processes that hang fail the test instead of the build; @AfterEach still kills them.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XenStoredProcessIT
{
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void reap()
    {
        processes.forEach(Process::destroyForcibly);
    }

    private Process start() throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String api = Path.of(jarOf(XsPaths.class)).toString();
        final ProcessBuilder builder = new ProcessBuilder(java, "-p", api + ":" + System.getProperty("xenstored.jar"),
            "-m", "io.tubes.xenstored", dir.toString());
        builder.redirectErrorStream(true);
        final Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static java.net.URI jarOf(final Class<?> type)
    {
        try
        {
            return type.getProtectionDomain().getCodeSource().getLocation().toURI();
        }
        catch (final java.net.URISyntaxException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** The first line xenstored itself prints (its announcement or its error), past the log lines. */
    private static String firstLine(final Process process) throws IOException
    {
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine())
        {
            if (line.startsWith("xenstored"))
            {
                return line;
            }
        }
        return "";
    }

    private static boolean answers(final Path socket)
    {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
        {
            return probe.isConnected();
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    @Test
    void runsOnTheModulePathSurvivesKillNineAndCleansUpOnStop() throws Exception
    {
        final Path socket = dir.resolve("socket");
        final Process first = start();
        assertTrue(firstLine(first).startsWith("xenstored listening on " + socket), "announces its socket");
        assertTrue(answers(socket));

        final Process second = start();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, second.exitValue());
        assertTrue(firstLine(second).contains("another xenstored is already running at " + socket));

        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertTrue(Files.exists(socket), "kill -9 leaves the socket file behind");
        assertFalse(answers(socket));

        final Process again = start();
        assertTrue(firstLine(again).startsWith("xenstored listening on " + socket), "starts over stale files");
        assertTrue(answers(socket));
        again.destroy();
        assertTrue(again.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket), "a stopped xenstored removes its socket");
    }
}
