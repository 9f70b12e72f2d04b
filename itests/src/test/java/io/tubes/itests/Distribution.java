package io.tubes.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tubes.testing.Requirements;

/**
 * The built distribution, unpacked by the build, driven through its own scripts as a user would:
 * {@code bin/tubes-host}, {@code bin/tubes-domain}, Xen's {@code xenstore-*} tools.
 */
final class Distribution
{
    /** What a command printed, without the console's colours, and how it exited. */
    record Result(int exitCode, String out)
    {
    }

    final Path home = Path.of(System.getProperty("tubes.distribution"));
    final Path hostDir;

    Distribution(final Path hostDir)
    {
        this.hostDir = hostDir;
    }

    Result run(final String... command) throws IOException, InterruptedException
    {
        final List<String> line = new ArrayList<>(List.of(command));
        if (!line.get(0).startsWith("/"))
        {
            line.set(0, home.resolve(line.get(0)).toString());
        }
        final ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).directory(home.toFile());
        builder.environment().put("TUBES_SIM_HOST", hostDir.toString());
        final Process process = builder.start();
        try
        {
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                return fail(String.join(" ", command) + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), out.replaceAll("\u001B\\[[0-9;]*m", ""));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** Runs one shell command in a domain instance; the console's output. */
    String shell(final String domain, final String command) throws IOException, InterruptedException
    {
        return run("bin/tubes-domain", domain, "shell", command).out();
    }

    /** Xen's xenstore-ls as dom0 of the host. */
    String xenstoreLs(final String path) throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(Requirements.xenstoreTool("xenstore-ls").toString(), path)
            .redirectErrorStream(true);
        builder.environment().put("XENSTORED_PATH", hostDir.resolve("xenstored/socket").toString());
        final Process process = builder.start();
        try
        {
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return out;
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** The JVM pid Karaf recorded for a domain instance. */
    long pid(final String domain) throws IOException
    {
        return Long.parseLong(Files.readString(home.resolve("instances").resolve(domain).resolve("karaf.pid")).trim());
    }

    /** Domain ids by name, from the host's status view. */
    Map<String, Integer> domains() throws IOException, InterruptedException
    {
        final Map<String, Integer> domains = new java.util.TreeMap<>();
        for (final String line : run("bin/tubes-host", "status").out().split("\n"))
        {
            final String[] words = line.split(" ");
            if (words.length > 2 && "domain".equals(words[0]))
            {
                domains.put(words[2], Integer.parseInt(words[1]));
            }
        }
        return domains;
    }

    /** How many connections xenstored has accepted on dom0's socket since the host started, from its status view. */
    int dom0ConnectionsAccepted() throws IOException, InterruptedException
    {
        final String status = run("bin/tubes-host", "status").out();
        final java.util.regex.Matcher count = java.util.regex.Pattern.compile("dom0 connections accepted (\\d+)")
            .matcher(status);
        if (!count.find())
        {
            throw new IOException("the host's status does not count dom0 connections:\n" + status);
        }
        return Integer.parseInt(count.group(1));
    }

    /** Kills every process the tests started: instances by their pid files, the host by its own. */
    void killAll() throws IOException
    {
        final List<Path> pidFiles = new ArrayList<>(List.of(hostDir.resolve("host.pid")));
        final Path instances = home.resolve("instances");
        if (Files.isDirectory(instances))
        {
            try (var each = Files.list(instances))
            {
                each.forEach(instance -> pidFiles.add(instance.resolve("karaf.pid")));
            }
        }
        for (final Path pidFile : pidFiles)
        {
            if (Files.exists(pidFile))
            {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
