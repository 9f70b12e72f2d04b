package io.tubes.handshake;

import io.tubes.driver.XenDriver;
import io.tubes.handshake.internal.Engine;
import io.tubes.tube.TubeException;
import io.tubes.xenstore.XenStore;

/**
 * Starts the tube service of a domain outside OSGi (tools, tests, the module path). Inside OSGi,
 * reference the {@code TubeService} service instead.
 */
public final class TubeEngines
{
    private TubeEngines()
    {
    }

    /**
     * Starts the handshake for the domain that {@code xenstore} and {@code driver} belong to: removes
     * what an earlier run of this domain left in XenStore (its peers see those tubes close), opens
     * the domain's {@code data/tip} to knocks and watches it.
     *
     * @throws TubeException when XenStore refuses, saying what
     */
    public static TubeEngine start(final XenStore xenstore, final XenDriver driver) throws TubeException
    {
        return Engine.start(xenstore, driver, null, AcceptPolicy.NONE);
    }

    /**
     * Starts the handshake as {@link #start(XenStore, XenDriver)} does, telling {@code events} of every
     * tube that connects and leaves Connected, and accepting the knocks that {@code policy} takes
     * without waiting for an {@code accept} call.
     */
    public static TubeEngine start(final XenStore xenstore, final XenDriver driver, final TubeEvents events,
        final AcceptPolicy policy) throws TubeException
    {
        return Engine.start(xenstore, driver, events, policy);
    }
}
