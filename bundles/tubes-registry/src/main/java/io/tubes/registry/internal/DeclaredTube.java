package io.tubes.registry.internal;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;
import io.tubes.tube.TubeOptions;
import io.tubes.tube.TubeService;

/**
 * A tube that a configuration declares ({@code etc/io.tubes.tube-NAME.cfg}): opened at once and
 * again whenever it closes (the peer closed, died or is not there yet), until the configuration is
 * deleted. An edit re-opens it with the new settings. The peer is looked for every 50 ms while an
 * open waits: an unprivileged domain on Xen cannot watch {@code @introduceDomain}, and a peer's
 * {@code data/tip} appears only once its handshake runs.
 */
@Component(configurationPid = "io.tubes.tube", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = DeclaredTubeConfig.class, factory = true)
public final class DeclaredTube
{
    private static final Logger LOG = Logger.getLogger(DeclaredTube.class.getName());

    private final TubeService tubes;
    private final TubeOptions options;
    private final Duration retry;
    private final String label;
    private final Thread keeper;
    private volatile boolean stopped;

    @Activate
    public DeclaredTube(@Reference final TubeService tubes, final DeclaredTubeConfig config)
    {
        this.tubes = tubes;
        if (config.peer() == null || config.peer().isBlank())
        {
            throw new IllegalArgumentException("io.tubes.tube: peer is not set; give the peer domain's name or id");
        }
        this.options = TubeOptions.to(config.peer().trim()).withIndex(config.index())
            .withMode(TubeMode.ofNode(config.mode().trim()))
            .withOpenTimeout(Duration.ofMillis(config.open_timeout_ms()))
            .withCloseTimeout(Duration.ofMillis(config.close_timeout_ms()));
        this.retry = Duration.ofMillis(Math.max(10, config.retry_ms()));
        this.label = "declared tube to " + options.peer() + "/" + options.index();
        this.keeper = new Thread(this::keepOpen, "tubes-declared-" + options.peer() + "-" + options.index());
        keeper.setDaemon(true);
        keeper.start();
    }

    /** Opens the tube, waits for it to close, and opens it again, until stopped. */
    private void keepOpen()
    {
        String lastProblem = null;
        while (!stopped)
        {
            try
            {
                try (Tube tube = tubes.open(options))
                {
                    LOG.log(Level.INFO, "{0}: {1} connected", new Object[] {label, tube.id()});
                    lastProblem = null;
                    final String reason = tube.closed().toCompletableFuture().get();
                    LOG.log(Level.INFO, "{0}: {1} closed ({2}); opening it again", new Object[] {label, tube.id(),
                        reason});
                }
            }
            catch (final TubeException e)
            {
                if (!e.getMessage().equals(lastProblem))
                {
                    LOG.log(Level.INFO, "{0}: not open yet, trying again every {1} ms: {2}", new Object[] {label,
                        retry.toMillis(), e.getMessage()});
                    lastProblem = e.getMessage();
                }
            }
            catch (final InterruptedException e)
            {
                return;
            }
            catch (final ExecutionException e)
            {
                LOG.log(Level.WARNING, label + ": waiting for the close failed", e);
            }
            try
            {
                Thread.sleep(retry.toMillis());
            }
            catch (final InterruptedException e)
            {
                return;
            }
        }
    }

    /** Closes the tube (with the handshake's close) and stops opening it. */
    @Deactivate
    void stop() throws InterruptedException
    {
        stopped = true;
        keeper.interrupt();
        keeper.join(options.closeTimeout().toMillis() + 5_000);
    }
}
