package io.tubes.simhost.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.tubes.sim.protocol.HostLayout;
import io.tubes.simhost.SimHost;

/**
 * The simulated host inside an OSGi framework, run when configuration {@code io.tubes.simhost}
 * exists, so that one Karaf instance can be the host of the others.
 */
@Component(configurationPid = "io.tubes.simhost", configurationPolicy = ConfigurationPolicy.REQUIRE,
    immediate = true, service = SimHostComponent.class)
@Designate(ocd = SimHostComponent.Config.class)
public final class SimHostComponent
{
    /** Configuration of the simulated host. */
    @ObjectClassDefinition(name = "Tubes simulated host", description = "Runs the simulated Xen host in this framework")
    public @interface Config
    {
        @AttributeDefinition(name = "Host directory",
            description = "Empty: $TUBES_SIM_HOST, else $XDG_RUNTIME_DIR/tubes-sim-host or /tmp/tubes-sim-host")
        String host_dir() default "";
    }

    private final SimHost host;

    @Activate
    public SimHostComponent(final Config config) throws IOException
    {
        this.host = SimHost.start(HostLayout.resolve(config.host_dir(), System.getenv()));
    }

    /** The running host. */
    public SimHost host()
    {
        return host;
    }

    @Deactivate
    void stop()
    {
        host.close();
    }
}
