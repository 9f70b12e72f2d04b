package io.tubes.driver.xen.internal;

import java.io.IOException;
import java.util.Hashtable;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

import io.tubes.driver.XenDriver;

/**
 * Publishes the real-Xen {@link XenDriver} ({@code driver=xen}) when configuration
 * {@code io.tubes.host} says {@code driver=xen}; with any other driver it stays idle. On a machine
 * without Xen the component fails with a message that says so.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.tubes.driver.XenDriver",
    uses = XenDriver.class)
@Component(configurationPid = "io.tubes.host", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
    service = {})
public final class XenDriverComponent
{
    /** The part of {@code io.tubes.host} this component reads. */
    public @interface Config
    {
        String driver() default "sim";
    }

    private final XenDriverImpl driver;
    private final ServiceRegistration<XenDriver> registration;

    @Activate
    public XenDriverComponent(final Config config, final BundleContext context) throws IOException
    {
        if (!"xen".equals(config.driver()))
        {
            driver = null;
            registration = null;
            return;
        }
        driver = XenDriverImpl.start(XenDriverImpl.DEVICES);
        final Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("driver", "xen");
        properties.put("domid", driver.domid());
        registration = context.registerService(XenDriver.class, driver, properties);
    }

    @Deactivate
    void stop()
    {
        if (registration != null)
        {
            registration.unregister();
            driver.close();
        }
    }
}
