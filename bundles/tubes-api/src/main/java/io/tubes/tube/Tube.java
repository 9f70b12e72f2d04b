package io.tubes.tube;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One end of a connected tube: two rings in shared memory and an event channel to one peer domain.
 *
 * <p>A tube has one reader and one writer. Whoever takes it for reading ({@link #reader()}) or
 * writing ({@link #writer()}) holds that side until they let go ({@code close()} on what they
 * took); a second taker meanwhile gets a {@link TubeException} naming the holder, so that two
 * users never interleave their data.
 *
 * <p>A tube closes when either end closes it, or when the peer's domain goes; {@link #closed()}
 * then completes with the reason, and every send or receive in progress or later fails with a
 * {@link TubeClosedException} saying it. Packets sent before a close are delivered: the end that
 * did not close reads them until the end.
 */
@ProviderType
public interface Tube extends AutoCloseable
{
    /** The tube's name, the same after either domain restarts: {@code nock>tip/index}. */
    TubeId id();

    /** Where its nodes are in XenStore, with both domains' ids and the index. */
    TubePaths paths();

    /** This end's role: the nock opened the tube, the tip accepted it. */
    TubeRole role();

    TubeMode mode();

    /** The peer's domain id. */
    default int peer()
    {
        return role() == TubeRole.NOCK ? paths().tip() : paths().nock();
    }

    /** The peer's domain name (its id as text where the peer's name cannot be read). */
    default String peerName()
    {
        return role() == TubeRole.NOCK ? id().tip() : id().nock();
    }

    /** The tube index: many tubes may link one pair. */
    default int index()
    {
        return paths().index();
    }

    /** The state this end last wrote: {@link TubeState#CONNECTED} while it is usable. */
    TubeState state();

    /** Bytes in each of the tube's two rings. */
    int ringSize();

    /** What this end has moved so far. */
    TubeCounters counters();

    /** Completes with the reason once the tube has closed and everything it held is freed. */
    CompletionStage<String> closed();

    /**
     * Takes the tube for reading.
     *
     * @throws TubeException when someone holds it already (the message names them), or the tube closed
     */
    TubeReader reader() throws TubeException;

    /**
     * Takes the tube for writing.
     *
     * @throws TubeException when someone holds it already (the message names them), or the tube closed
     */
    TubeWriter writer() throws TubeException;

    /**
     * Closes the tube as the handshake says: this end stops sending and writes Closing; the peer
     * reads what was sent, stops its own sending and confirms; then everything is freed, at the
     * latest after the close timeout. Returns once it is freed. Closing twice does nothing.
     */
    @Override
    void close();
}
