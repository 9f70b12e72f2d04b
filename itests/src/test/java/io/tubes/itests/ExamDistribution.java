package io.tubes.itests;

import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;

/**
 * The built Tubes distribution as Pax Exam boots it for a test class: the instance runs the
 * simulated host (in a fresh directory, {@code tubes.exam.host.dir} inside) and is a domain of it.
 */
final class ExamDistribution
{
    private static final String KARAF = "4.4.10";

    private ExamDistribution()
    {
    }

    /** The options of an instance that is the host and its domain {@code name}, plus {@code more}. */
    static Option[] hostAndDomain(final String name, final Option... more) throws IOException
    {
        final String hostDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "exam-host").toString();
        final List<Option> options = new ArrayList<>(List.of(
            karafDistributionConfiguration()
                .frameworkUrl(new File(System.getProperty("tubes.distribution.archive")).toURI().toString())
                .name("Tubes").unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            keepRuntimeFolder(), // target/exam/*/data/log/karaf.log tells what happened when a test failed
            logLevel(LogLevel.INFO),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
            editConfigurationFilePut("etc/system.properties", "tubes.ssh.port", Integer.toString(freePort())),
            editConfigurationFilePut("etc/system.properties", "tubes.exam.host.dir", hostDir),
            editConfigurationFilePut("etc/io.tubes.simhost.cfg", "host.dir", hostDir),
            editConfigurationFilePut("etc/io.tubes.host.cfg", "host.dir", hostDir),
            editConfigurationFilePut("etc/io.tubes.host.cfg", "domain.name", name)));
        // Pax Exam no longer adds the module options bin/karaf uses on Java 9 and later.
        for (final String vmOption : List.of("--add-reads=java.xml=java.logging",
            "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
            "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + KARAF + ".jar",
            "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + KARAF + ".jar",
            "--add-opens", "java.base/java.security=ALL-UNNAMED", "--add-opens", "java.base/java.net=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
            "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
            "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
            "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"))
        {
            options.add(new VMOption(vmOption));
        }
        options.addAll(List.of(more));
        return options(options.toArray(new Option[0]));
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /** The simulated host's directory of the instance the test runs in. */
    static Path hostDir()
    {
        return Path.of(System.getProperty("tubes.exam.host.dir"));
    }

    /** Runs a shell command as a console user would, and returns what it printed (errors included). */
    static String shell(final SessionFactory sessions, final String command) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            final Session session = sessions.create(System.in, out, out);
            try
            {
                final Object result = session.execute(command);
                if (result != null)
                {
                    out.println(result);
                }
            }
            catch (final Exception e)
            {
                out.println("Error executing command: " + e.getMessage());
            }
            finally
            {
                session.close();
            }
            final String printed = bytes.toString(StandardCharsets.UTF_8);
            // Commands register asynchronously, once their services are there.
            if (!printed.contains("Command not found") || System.nanoTime() > deadline)
            {
                return printed;
            }
            Thread.sleep(200);
        }
    }
}
