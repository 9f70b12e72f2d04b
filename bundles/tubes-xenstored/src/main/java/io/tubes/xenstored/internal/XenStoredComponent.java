package io.tubes.xenstored.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.tubes.xenstored.XenStored;

/**
 * xenstored inside an OSGi framework, started when configuration {@code io.tubes.xenstored} names a
 * directory and stopped with the component.
 */
@Component(configurationPid = "io.tubes.xenstored", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
    service = {})
@Designate(ocd = XenStoredComponent.Config.class)
public final class XenStoredComponent
{
    /** Configuration of the embedded xenstored. */
    @ObjectClassDefinition(name = "Tubes xenstored", description = "The embedded xenstored of the simulated host")
    public @interface Config
    {
        @AttributeDefinition(name = "Directory",
            description = "Where xenstored listens: DIR/socket for dom0, DIR/domain/N for domain N")
        String directory();
    }

    private final XenStored xenstored;

    @Activate
    public XenStoredComponent(final Config config) throws IOException
    {
        if (config.directory() == null || config.directory().isBlank())
        {
            throw new IllegalArgumentException("io.tubes.xenstored: 'directory' must name a directory");
        }
        this.xenstored = XenStored.start(Path.of(config.directory()));
    }

    /** The running xenstored. */
    public XenStored xenstored()
    {
        return xenstored;
    }

    @Deactivate
    void stop()
    {
        xenstored.close();
    }
}
