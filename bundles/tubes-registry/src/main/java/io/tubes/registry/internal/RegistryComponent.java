package io.tubes.registry.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.tubes.driver.XenDriver;
import io.tubes.handshake.AcceptPolicy;
import io.tubes.handshake.TubeEngine;
import io.tubes.handshake.TubeEngines;
import io.tubes.tube.AcceptOptions;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeService;
import io.tubes.tube.runtime.TubeRuntime;
import io.tubes.xenstore.XenStore;

/**
 * Runs the domain's handshake while its XenStore and driver services are there, and publishes it:
 * the {@code TubeService} service, a {@code Tube} service for each connected tube, and the
 * {@code TubeRuntime} view. When either service goes (a driver swapped, XenStore lost) or this
 * bundle stops, the services go first, then every tube is closed and the engine stopped. The accept
 * policy ({@code io.tubes.accept}) may change while it runs.
 */
@Component(immediate = true, configurationPid = "io.tubes.accept", service = {})
@Designate(ocd = AcceptConfig.class)
public final class RegistryComponent
{
    private static final Logger LOG = Logger.getLogger(RegistryComponent.class.getName());

    private final TubeEngine engine;
    private final ServiceRegistration<TubeService> service;
    private final ServiceRegistration<TubeRuntime> runtime;

    @Activate
    public RegistryComponent(@Reference final XenStore xenstore, @Reference final XenDriver driver,
        final BundleContext context, final AcceptConfig config) throws TubeException
    {
        final TubeRegistrations registrations = new TubeRegistrations(context, xenstore);
        this.engine = TubeEngines.start(xenstore, driver, registrations, policy(config));
        final Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("domid", engine.domid());
        properties.put("domain.name", engine.name());
        this.service = context.registerService(TubeService.class, new ServiceView(engine), properties);
        this.runtime = context.registerService(TubeRuntime.class, registrations, properties);
    }

    @Modified
    void modified(final AcceptConfig config)
    {
        engine.acceptPolicy(policy(config));
    }

    @Deactivate
    void stop()
    {
        service.unregister();
        runtime.unregister();
        engine.close();
    }

    /** The policy a configuration gives; a mode it does not know is left out, and logged. */
    static AcceptPolicy policy(final AcceptConfig config)
    {
        final Set<TubeMode> modes = EnumSet.noneOf(TubeMode.class);
        for (final String mode : list(config.modes()))
        {
            try
            {
                modes.add(TubeMode.ofNode(mode));
            }
            catch (final IllegalArgumentException e)
            {
                LOG.log(Level.WARNING, "io.tubes.accept: ''{0}'' is not a mode (packet, stream): left out",
                    mode);
            }
        }
        int ringSize = config.ring_size();
        try
        {
            AcceptOptions.any().withRingSize(ringSize);
        }
        catch (final IllegalArgumentException e)
        {
            LOG.log(Level.WARNING, "io.tubes.accept: {0}; rings of {1} bytes instead",
                new Object[] {e.getMessage(), AcceptOptions.DEFAULT_RING_SIZE});
            ringSize = AcceptOptions.DEFAULT_RING_SIZE;
        }
        return new AcceptPolicy(Set.copyOf(list(config.peers())), Math.max(0, config.tubes_per_peer()),
            Math.max(0, config.tubes_total()), modes, ringSize);
    }

    /** The words of a list setting: a .cfg file gives one string, "a, b", where Config Admin gives several. */
    private static List<String> list(final String[] values)
    {
        final List<String> words = new ArrayList<>();
        for (final String value : values)
        {
            for (final String word : value.split(","))
            {
                if (!word.isBlank())
                {
                    words.add(word.trim());
                }
            }
        }
        return words;
    }

    /** The engine as consumers see it: it opens and accepts tubes; only this component stops it. */
    private record ServiceView(TubeEngine engine) implements TubeService
    {
        @Override
        public Tube open(final TubeOptions options) throws TubeException, InterruptedException
        {
            return engine.open(options);
        }

        @Override
        public Tube accept(final AcceptOptions options) throws TubeException, InterruptedException
        {
            return engine.accept(options);
        }

        @Override
        public List<Tube> tubes()
        {
            return engine.tubes();
        }

        @Override
        public int domid()
        {
            return engine.domid();
        }

        @Override
        public String name()
        {
            return engine.name();
        }
    }
}
