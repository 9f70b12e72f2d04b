package io.tubes.handshake;

import org.osgi.annotation.versioning.ProviderType;

import io.tubes.tube.TubeService;

/**
 * A domain's tube service as its creator holds it: {@link #close()} closes every tube (each with the
 * handshake's close), removes the domain's knock watch and stops the engine's thread. Give others
 * the {@link TubeService} view.
 */
@ProviderType
public interface TubeEngine extends TubeService, AutoCloseable
{
    /**
     * Replaces the policy by which this domain accepts knocks by itself. Tubes it accepted stay open;
     * knocks already refused stay refused.
     */
    void acceptPolicy(AcceptPolicy policy);

    @Override
    void close();
}
