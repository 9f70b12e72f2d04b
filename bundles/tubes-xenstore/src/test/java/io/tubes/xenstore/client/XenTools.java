package io.tubes.xenstore.client;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tubes.testing.Requirements;

/** Runs Xen's own XenStore tools as real processes against a socket, and always reaps them. */
final class XenTools
{
    /** What a tool printed and how it exited. */
    record Result(int exitCode, String out, String err)
    {
        Result ok()
        {
            assertTrue(exitCode == 0, "exit " + exitCode + ": " + err + out);
            return this;
        }
    }

    private XenTools()
    {
    }

    /** Xen's test-xenstore, unpacked by .ci/install-tools. */
    static Path testXenstore()
    {
        return Requirements.executable("run .ci/install-tools to unpack it from Debian's xen-utils-4.17",
            Path.of(System.getProperty("tubes.tools.dir", ".tools"), "xen-utils-4.17/usr/lib/xen-4.17/bin/test-xenstore"),
            Path.of("/usr/lib/xen-4.17/bin/test-xenstore"));
    }

    /** Runs {@code command} as the domain whose xenstored socket is {@code socket}. */
    static Result run(final Path socket, final String... command) throws IOException, InterruptedException
    {
        final Process process = start(socket, command);
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                return fail(String.join(" ", command) + " did not finish within 30 s");
            }
            return new Result(process.exitValue(), read(process.getInputStream()), read(process.getErrorStream()));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** Starts {@code command}; the caller reaps it with {@link Process#destroyForcibly()} in a finally. */
    static Process start(final Path socket, final String... command) throws IOException
    {
        final Path binary = command[0].startsWith("/") ? Path.of(command[0]) : Requirements.xenstoreTool(command[0]);
        final List<String> line = new ArrayList<>(List.of(command));
        line.set(0, binary.toString());
        final ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().put("XENSTORED_PATH", socket.toString());
        return builder.start();
    }

    private static String read(final java.io.InputStream in) throws IOException
    {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
