package io.tubes.tube;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens and accepts the tubes of the domain this runs in, with the seed's handshake in XenStore.
 * Each domain has one; the OSGi service is one.
 */
@ProviderType
public interface TubeService
{
    /**
     * Opens a tube to a peer as its nock and waits until it is connected.
     *
     * @throws TubeException when the peer is unknown, the index is in use, XenStore refused (a quota
     *                       reached: the message names it), the peer refused or did not answer in
     *                       the open timeout (the message names the peer, the path, the state
     *                       reached and the timeout); nothing written for it is left behind
     */
    Tube open(TubeOptions options) throws TubeException, InterruptedException;

    /**
     * Accepts the next tube a peer opens to this domain (a knock already waiting, or the next one
     * to come), as its tip, and waits until it is connected.
     *
     * @throws TubeException when no tube connected in time, saying what was seen
     */
    Tube accept(AcceptOptions options) throws TubeException, InterruptedException;

    /** Every tube of this domain that is connected or closing, in the order they connected. */
    List<Tube> tubes();

    /** This domain's id. */
    int domid();

    /** This domain's name. */
    String name();
}
