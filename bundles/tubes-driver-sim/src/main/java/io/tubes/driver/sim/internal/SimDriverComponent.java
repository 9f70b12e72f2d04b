package io.tubes.driver.sim.internal;

import java.io.IOException;
import java.util.Hashtable;

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

import io.tubes.driver.XenDriver;
import io.tubes.driver.sim.SimXenDriver;
import io.tubes.simhost.HostLayout;

/**
 * Makes this framework a domain of a simulated host, as configuration {@code io.tubes.host} says
 * ({@code driver=sim}), and publishes its {@link XenDriver} with {@code driver=sim}. The service
 * goes away, and the host releases the domain, when the component stops.
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

    private final SimXenDriver driver;
    private final ServiceRegistration<XenDriver> registration;

    @Activate
    public SimDriverComponent(final Config config, final BundleContext context) throws IOException
    {
        if (!"sim".equals(config.driver()))
        {
            throw new IllegalArgumentException("io.tubes.host: this component serves driver=sim, not driver="
                + config.driver());
        }
        final String name = config.domain_name().isBlank() ? "domain-" + ProcessHandle.current().pid()
            : config.domain_name();
        this.driver = SimXenDriver.join(HostLayout.resolve(config.host_dir(), System.getenv()), name);
        final Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("driver", "sim");
        properties.put("domid", driver.domid());
        properties.put("domain.name", name);
        this.registration = context.registerService(XenDriver.class, driver, properties);
    }

    @Deactivate
    void stop() throws IOException
    {
        registration.unregister();
        driver.close();
    }
}
