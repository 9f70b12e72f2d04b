package io.tubes.driver.sim.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.XenDriver;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.sim.protocol.HostLayout;

/**
 * Makes this framework a domain of a simulated host, as configuration {@code io.tubes.host} says
 * ({@code driver=sim}), and publishes its {@link XenDriver} with {@code driver=sim} once joined;
 * until the host answers it tries again every second. The service goes away, and the host releases
 * the domain, when the component stops.
 */
// Registered by hand (only once joined), so the capability is declared for resolvers.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.tubes.driver.XenDriver",
    uses = XenDriver.class)
@Component(configurationPid = "io.tubes.host", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
    service = {})
@Designate(ocd = SimDriverComponent.Config.class)
public final class SimDriverComponent
{
    /** Configuration {@code io.tubes.host}: which driver, which host, which name. */
    @ObjectClassDefinition(name = "Tubes host", description = "How this domain reaches its hypervisor")
    public @interface Config
    {
        @AttributeDefinition(name = "Driver", description = "sim: a domain of the simulated host; xen: real Xen")
        String driver() default "sim";

        @AttributeDefinition(name = "Host directory",
            description = "The simulated host; empty: $TUBES_SIM_HOST, else $XDG_RUNTIME_DIR/tubes-sim-host or /tmp/tubes-sim-host")
        String host_dir() default "";

        @AttributeDefinition(name = "Domain name", description = "Unique on the host; empty: domain-<pid>")
        String domain_name() default "";
    }

    private static final Logger LOG = System.getLogger("io.tubes.driver.sim");

    private final BundleContext context;
    private final HostLayout layout;
    private final String name;
    private final Thread joiner;
    private volatile boolean active;
    private SimXenDriver driver;
    private ServiceRegistration<XenDriver> registration;

    @Activate
    public SimDriverComponent(final Config config, final BundleContext context)
    {
        this.context = context;
        this.layout = HostLayout.resolve(config.host_dir(), System.getenv());
        this.name = config.domain_name().isBlank() ? "domain-" + ProcessHandle.current().pid() : config.domain_name();
        // The host may start after this instance (or in it, a moment later): join when it answers.
        this.joiner = new Thread(this::joinWhenTheHostAnswers, "tubes sim driver [" + name + "]");
        joiner.setDaemon(true);
        // Another driver (driver=xen) serves this configuration: stay idle.
        active = "sim".equals(config.driver());
        if (active)
        {
            joiner.start();
        }
    }

    private void joinWhenTheHostAnswers()
    {
        boolean told = false;
        while (active)
        {
            try
            {
                final SimXenDriver joined = SimXenDriver.join(layout, name);
                publish(joined);
                LOG.log(Level.INFO, "joined the simulated host at {0} as domain {1} ({2})", layout.directory(),
                    String.valueOf(joined.domid()), name);
                return;
            }
            catch (final IOException e)
            {
                if (!told)
                {
                    LOG.log(Level.WARNING, "waiting for the simulated host: {0}", e.getMessage());
                    told = true;
                }
            }
            try
            {
                Thread.sleep(1_000);
            }
            catch (final InterruptedException e)
            {
                return; // deactivated
            }
        }
    }

    private synchronized void publish(final SimXenDriver joined) throws IOException
    {
        if (!active)
        {
            joined.close();
            return;
        }
        driver = joined;
        final Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("driver", "sim");
        properties.put("domid", joined.domid());
        properties.put("domain.name", name);
        registration = context.registerService(XenDriver.class, new SharedDriver(joined), properties);
    }

    /** The joined driver as its consumers get it: everything but the means to leave the host. */
    private record SharedDriver(XenDriver driver) implements XenDriver
    {
        @Override
        public int domid()
        {
            return driver.domid();
        }

        @Override
        public String description()
        {
            return driver.description();
        }

        @Override
        public String xenstorePath()
        {
            return driver.xenstorePath();
        }

        @Override
        public List<String> status() throws DriverException
        {
            return driver.status();
        }

        @Override
        public Map<Integer, String> domainNames() throws DriverException
        {
            return driver.domainNames();
        }

        @Override
        public GrantTable grantTable()
        {
            return driver.grantTable();
        }

        @Override
        public EventChannels openEventChannels() throws DriverException
        {
            return driver.openEventChannels();
        }
    }

    @Deactivate
    void stop() throws IOException, InterruptedException
    {
        active = false;
        joiner.interrupt();
        if (joiner.isAlive())
        {
            joiner.join(5_000);
        }
        synchronized (this)
        {
            if (registration != null)
            {
                registration.unregister();
                driver.close();
            }
        }
    }
}
