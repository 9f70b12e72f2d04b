package io.tubes.tube;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The sending side of a tube, held by whoever took it ({@link Tube#writer()}) until they close it.
 * Nothing is ever dropped: when the ring is full a send waits for room (or, with a timeout, says it
 * did not go). In stream mode, write through {@link #channel()}.
 */
@ProviderType
public interface TubeWriter extends AutoCloseable
{
    /**
     * Sends the bytes between {@code packet}'s position and limit as one packet, waiting as long as
     * the ring is full.
     *
     * @throws TubeClosedException when the tube closed, before or during the wait
     * @throws IOException         when the peer broke the ring's rules (the tube is then closed)
     */
    void send(ByteBuffer packet) throws IOException, InterruptedException;

    /**
     * Sends one packet, waiting at most {@code timeout} for room; a timeout of 0 does not wait.
     *
     * @return whether it went; when it did not, nothing of it went (a packet larger than the ring
     *         excepted: see {@code RingSender.offer}), and the packet's position says what did
     */
    boolean send(ByteBuffer packet, long timeout, TimeUnit unit) throws IOException, InterruptedException;

    /** Sends {@code count} packets from {@code packets[offset]} on, as many at once as fit. */
    void sendBatch(ByteBuffer[] packets, int offset, int count) throws IOException, InterruptedException;

    /** A stream tube's bytes as a blocking channel; closing it lets go of the writer, as {@link #close()}. */
    WritableByteChannel channel() throws TubeException;

    /**
     * Ends what this end sends, as a socket's {@code shutdownOutput}: the peer reads everything sent
     * so far, then the end ({@link TubeReader#END}, or -1 from its channel); the tube stays open, and
     * this end may still receive. Sends after it fail.
     */
    void shutdownOutput() throws IOException, InterruptedException;

    /** Lets go of the tube's writing side, so that someone else may take it; the tube stays open. */
    @Override
    void close();
}
