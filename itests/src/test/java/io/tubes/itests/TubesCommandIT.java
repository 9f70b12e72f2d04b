package io.tubes.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/tubes} as scripts use it: two invocations, each a domain of its own on the simulated
 * host, one accepting and one opening a tube; what goes into one's standard input comes out of the
 * other's standard output, byte for byte, and both exit 0.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TubesCommandIT
{
    private static final int MIB = 1024 * 1024;

    private Distribution dist;
    private Path work;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void startHost() throws Exception
    {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-tubes");
        dist = new Distribution(work.resolve("host"));
        assertEquals(0, dist.run("bin/tubes-host", "start").exitCode());
    }

    @AfterEach
    void stopAll() throws Exception
    {
        started.forEach(Process::destroyForcibly);
        dist.run("bin/tubes-host", "stop");
        dist.killAll();
    }

    @Test
    void sixtyFourMebibytesGoFromOneTubesOpenToATubesAcceptByteForByte() throws Exception
    {
        final Path sent = work.resolve("sent");
        final byte[] chunk = new byte[MIB];
        final Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(sent))
        {
            for (int i = 0; i < 64; i++)
            {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        final Path received = work.resolve("received");
        final Process accept = start(work.resolve("accept.err"), null, received, "accept", "--name", "db");
        final Process open = start(work.resolve("open.err"), sent, work.resolve("open.out"), "open", "db", "--name",
            "web", "--progress");
        assertTrue(open.waitFor(120, TimeUnit.SECONDS), "tubes open finished");
        assertTrue(accept.waitFor(60, TimeUnit.SECONDS), "tubes accept finished");
        assertEquals(0, open.exitValue(), Files.readString(work.resolve("open.err")));
        assertEquals(0, accept.exitValue(), Files.readString(work.resolve("accept.err")));
        assertEquals(Files.size(sent), Files.size(received));
        assertArrayEquals(sha256(sent), sha256(received), "the bytes that came out are the bytes that went in");
        assertEquals(0, Files.size(work.resolve("open.out")), "tubes accept sent nothing (its input was empty)");
        final String progress = Files.readString(work.resolve("open.err"));
        assertTrue(progress.contains("tubes: web>db/0 connected as nock with domain "), progress);
        assertTrue(progress.contains("tubes: web>db/0 sent " + Files.size(sent) + " bytes"), progress);

        final Distribution.Result ls = dist.run("bin/tubes", "ls");
        assertEquals(0, ls.exitCode(), ls.out());
        assertTrue(ls.out().contains("(no tubes)"), ls.out());
    }

    @Test
    void tubesLsShowsAnOpenTubeAsDom0SeesItAndNothingOnceBothEndsLeft() throws Exception
    {
        final Process accept = startHoldingInput(work.resolve("accept.err"), work.resolve("accept.out"), "accept",
            "--name", "db");
        final Process open = startHoldingInput(work.resolve("open.err"), work.resolve("open.out"), "open", "db",
            "--name", "web");
        String ls = "";
        for (int i = 0; i < 200 && !ls.matches("(?s).*web>db/0 +4 +4 .*"); i++)
        {
            Thread.sleep(100);
            ls = dist.run("bin/tubes", "ls").out();
        }
        // The tube's name, both ends connected, the tip's two refs and port, its mode, where the tip's nodes are.
        final String row = "(?s).*web>db/0 +4 +4 +\\d+ +\\d+ +\\d+ +stream +/local/domain/\\d+/data/tip/\\d+/0.*";
        assertTrue(ls.matches(row), ls);
        open.getOutputStream().close(); // web's input ends, then db's: both exit
        accept.getOutputStream().close();
        assertTrue(open.waitFor(60, TimeUnit.SECONDS) && accept.waitFor(60, TimeUnit.SECONDS), "both exited");
        assertEquals(0, open.exitValue(), Files.readString(work.resolve("open.err")));
        assertEquals(0, accept.exitValue(), Files.readString(work.resolve("accept.err")));
        assertTrue(dist.run("bin/tubes", "ls").out().contains("(no tubes)"));
    }

    @Test
    void anOpenToADomainThatIsNotThereSaysSoAndExitsNonZero() throws Exception
    {
        final Distribution.Result open = dist.run("bin/tubes", "open", "nobody", "--name", "web", "--timeout", "1");
        assertEquals(1, open.exitCode(), open.out());
        assertTrue(open.out().contains("no domain named 'nobody'"), open.out());
        final Distribution.Result usage = dist.run("bin/tubes", "open");
        assertEquals(2, usage.exitCode(), usage.out());
        assertTrue(usage.out().contains("tubes open needs one PEER"), usage.out());
        final Distribution.Result help = dist.run("bin/tubes", "accept", "--help");
        assertEquals(0, help.exitCode(), help.out());
        assertTrue(help.out().contains("usage: tubes accept"), help.out());
    }

    /** Starts bin/tubes with standard input from {@code in} (or nothing), output and errors to files. */
    private Process start(final Path errors, final Path in, final Path out, final String... args) throws IOException
    {
        return start(in == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
            : ProcessBuilder.Redirect.from(in.toFile()), errors, out, args);
    }

    /** Starts bin/tubes with standard input from a pipe this test holds open until it closes it. */
    private Process startHoldingInput(final Path errors, final Path out, final String... args) throws IOException
    {
        return start(ProcessBuilder.Redirect.PIPE, errors, out, args);
    }

    private Process start(final ProcessBuilder.Redirect in, final Path errors, final Path out, final String... args)
        throws IOException
    {
        final List<String> line = new ArrayList<>(List.of(dist.home.resolve("bin/tubes").toString()));
        line.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(line).directory(dist.home.toFile()).redirectInput(in)
            .redirectOutput(out.toFile()).redirectError(errors.toFile());
        builder.environment().put("TUBES_SIM_HOST", dist.hostDir.toString());
        final Process process = builder.start();
        started.add(process);
        return process;
    }

    private static byte[] sha256(final Path file) throws Exception
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file))
        {
            final byte[] buffer = new byte[MIB];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }
}
