package io.tubes.example.echo.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeClosedException;
import io.tubes.tube.TubeReader;
import io.tubes.tube.TubeWriter;

/**
 * Sends back every packet (in stream mode, every byte) that arrives through any tube of this
 * domain, one thread per tube. To take only some tubes, set a target in
 * {@code etc/io.tubes.example.echo.cfg}, for instance {@code Tube.target = (tube.peer.name=alpha)}.
 */
@Component(immediate = true, configurationPid = "io.tubes.example.echo")
public final class EchoComponent
{
    private static final Logger LOG = Logger.getLogger(EchoComponent.class.getName());
    private final Map<Tube, Thread> echoes = new ConcurrentHashMap<>();

    @Reference(name = "Tube", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bind(final Tube tube)
    {
        final Thread echo = new Thread(() -> echo(tube), "echo " + tube.id());
        echoes.put(tube, echo);
        echo.start();
    }

    /** The tube is going: stop its thread, without waiting (the tube is withdrawn from this call). */
    void unbind(final Tube tube)
    {
        final Thread echo = echoes.remove(tube);
        if (echo != null)
        {
            echo.interrupt();
        }
    }

    private static void echo(final Tube tube)
    {
        LOG.log(Level.INFO, "echoing {0}", tube.id());
        try (TubeReader in = tube.reader(); TubeWriter out = tube.writer())
        {
            final ByteBuffer packet = ByteBuffer.allocateDirect(tube.ringSize());
            while (in.receive(packet.clear()) != TubeReader.END)
            {
                out.send(packet.flip());
            }
        }
        catch (final TubeClosedException | InterruptedException e)
        {
            // the tube closed, or its service went: nothing more to answer
        }
        catch (final IOException e)
        {
            LOG.log(Level.WARNING, "echoing " + tube.id() + " failed", e);
        }
    }
}
