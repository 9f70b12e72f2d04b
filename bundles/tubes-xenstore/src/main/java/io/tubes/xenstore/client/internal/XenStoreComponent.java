package io.tubes.xenstore.client.internal;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.tubes.driver.XenDriver;
import io.tubes.xenstore.Permission;
import io.tubes.xenstore.TransactionBody;
import io.tubes.xenstore.Watch;
import io.tubes.xenstore.WatchListener;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreTransaction;
import io.tubes.xenstore.client.XenStoreAddress;

/**
 * The {@link XenStore} service: one connection of this framework's domain, shared by every bundle,
 * which none of them can close or reset (the component owns it and closes it when it stops).
 *
 * <p>In a domain (configuration {@code io.tubes.host} exists) the connection is that domain's own,
 * from its driver: until the driver has joined there is no service at all, and nothing in the
 * environment can make the domain talk to xenstored as dom0. Only a path configured on purpose in
 * {@code io.tubes.xenstore} overrides it. Elsewhere (dom0, tools) the address is found as
 * {@link XenStoreAddress#resolve} says.
 */
// Registered by hand (only once connected), so the capability is declared for resolvers.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.tubes.xenstore.XenStore",
    uses = XenStore.class)
@Component(configurationPid = {XenStoreComponent.PID, XenStoreComponent.HOST_PID}, immediate = true, service = {})
public final class XenStoreComponent implements XenStore
{
    static final String PID = "io.tubes.xenstore";
    static final String HOST_PID = "io.tubes.host";

    private static final Logger LOG = System.getLogger("io.tubes.xenstore");

    private final XenStoreClient client;
    private final ServiceRegistration<XenStore> registration;

    @Activate
    public XenStoreComponent(final XenStoreClientConfig config, final Map<String, Object> properties,
        final BundleContext context,
        @Reference(name = "xenDriver", cardinality = ReferenceCardinality.OPTIONAL,
            policyOption = ReferencePolicyOption.GREEDY) final XenDriver driver) throws IOException
    {
        final XenStoreAddress address = address(config, isDomain(properties), driver);
        if (address == null)
        {
            LOG.log(Level.INFO, "no XenStore service until this domain has joined its host (configuration {0})",
                HOST_PID);
            client = null;
            registration = null;
            return;
        }
        client = XenStoreClient.connect(address, config.request_timeout_ms(), config.transaction_attempts());
        final Hashtable<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put("xenstore.address", client.address());
        if (driver != null)
        {
            serviceProperties.put("domid", driver.domid());
        }
        registration = context.registerService(XenStore.class, this, serviceProperties);
        LOG.log(Level.INFO, "XenStore service connected to xenstored at {0}", client.address());
    }

    /**
     * Where to connect, or null to wait: a domain uses its driver's connection (or a path
     * configured on purpose), never the environment's.
     */
    static XenStoreAddress address(final XenStoreClientConfig config, final boolean domain, final XenDriver driver)
        throws IOException
    {
        final String configured = config.path();
        if (!domain)
        {
            return XenStoreAddress.resolve(configured, driver == null ? null : driver.xenstorePath(), System.getenv());
        }
        if (configured != null && !configured.isBlank())
        {
            return XenStoreAddress.of(Path.of(configured));
        }
        return driver == null ? null : XenStoreAddress.of(Path.of(driver.xenstorePath()));
    }

    /** Whether configuration {@code io.tubes.host} is one of those this component was given. */
    static boolean isDomain(final Map<String, Object> properties)
    {
        final Object pids = properties.get("service.pid");
        if (pids instanceof String pid)
        {
            return HOST_PID.equals(pid);
        }
        if (pids instanceof String[] array)
        {
            return List.of(array).contains(HOST_PID);
        }
        return pids instanceof Collection<?> collection && collection.contains(HOST_PID);
    }

    @Deactivate
    void stop()
    {
        if (registration != null)
        {
            registration.unregister();
            client.close();
        }
    }

    @Override
    public byte[] read(final String path) throws XenStoreException
    {
        return client.read(path);
    }

    @Override
    public void write(final String path, final byte[] value) throws XenStoreException
    {
        client.write(path, value);
    }

    @Override
    public void mkdir(final String path) throws XenStoreException
    {
        client.mkdir(path);
    }

    @Override
    public void rm(final String path) throws XenStoreException
    {
        client.rm(path);
    }

    @Override
    public List<String> directory(final String path) throws XenStoreException
    {
        return client.directory(path);
    }

    @Override
    public List<Permission> getPermissions(final String path) throws XenStoreException
    {
        return client.getPermissions(path);
    }

    @Override
    public void setPermissions(final String path, final List<Permission> permissions) throws XenStoreException
    {
        client.setPermissions(path, permissions);
    }

    @Override
    public Watch watch(final String path, final WatchListener listener) throws XenStoreException
    {
        return client.watch(path, listener);
    }

    @Override
    public <T> T transaction(final TransactionBody<T> body) throws XenStoreException
    {
        return client.transaction(body);
    }

    @Override
    public XenStoreTransaction startTransaction() throws XenStoreException
    {
        return client.startTransaction();
    }

    @Override
    public void endTransaction(final XenStoreTransaction transaction, final boolean commit) throws XenStoreException
    {
        client.endTransaction(transaction, commit);
    }

    @Override
    public String getDomainPath(final int domid) throws XenStoreException
    {
        return client.getDomainPath(domid);
    }

    @Override
    public boolean isDomainIntroduced(final int domid) throws XenStoreException
    {
        return client.isDomainIntroduced(domid);
    }

    @Override
    public String address()
    {
        return client.address();
    }
}
