package io.tubes.handshake.internal;

import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import io.tubes.driver.XenDriver;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeService;
import io.tubes.xenstore.XenStore;

/**
 * Runs the domain's handshake while its XenStore and driver services are there, and publishes it
 * as the {@code TubeService} service. When either goes (a driver swapped, XenStore lost), the
 * service goes first, then every tube is closed and the engine stopped.
 */
@Component(immediate = true)
public final class TubeServiceComponent
{
    private final Engine engine;
    private final ServiceRegistration<TubeService> registration;

    @Activate
    public TubeServiceComponent(@Reference final XenStore xenstore, @Reference final XenDriver driver,
        final BundleContext context) throws TubeException
    {
        this.engine = Engine.start(xenstore, driver);
        final Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("domid", engine.domid());
        properties.put("domain.name", engine.name());
        this.registration = context.registerService(TubeService.class, engine, properties);
    }

    @Deactivate
    void stop()
    {
        registration.unregister();
        engine.close();
    }
}
