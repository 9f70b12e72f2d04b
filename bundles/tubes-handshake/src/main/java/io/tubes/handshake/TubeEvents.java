package io.tubes.handshake;

import org.osgi.annotation.versioning.ConsumerType;

import io.tubes.tube.Tube;

/**
 * Told when a tube of the domain connects and when it leaves Connected, as the OSGi registry of
 * tubes needs: {@link #disconnected} comes the moment the tube starts closing (either end's close,
 * the peer's death, the engine's close) and before anything the tube holds is freed, so that what
 * the listener published can be withdrawn while the tube's memory is still there.
 *
 * <p>Both run on the thread that moved the tube, with the engine's lock held, one after the
 * other and in order for each tube: return soon, and never wait there for another thread that
 * uses the tube service. Calling the tube (closing it included) from there is allowed.
 */
@ConsumerType
public interface TubeEvents
{
    /** The tube reached Connected: it may be read and written. */
    void connected(Tube tube);

    /** The tube left Connected for {@code reason}; it is freed once this returns. */
    void disconnected(Tube tube, String reason);
}
