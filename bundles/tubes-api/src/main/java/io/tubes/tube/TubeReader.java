package io.tubes.tube;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The receiving side of a tube, held by whoever took it ({@link Tube#reader()}) until they close
 * it. In stream mode, read through {@link #channel()}.
 */
@ProviderType
public interface TubeReader extends AutoCloseable
{
    /** What a receive returns when the peer closed and everything it sent was read. */
    int END = -1;
    /** What a receive with a timeout returns when no packet came in time. */
    int NONE = -2;

    /**
     * Waits for the next packet and copies it into {@code dst}, from its position.
     *
     * @return the packet's length, or {@link #END}
     * @throws TubeClosedException when this end closed, or the peer's domain went, before or during the wait
     * @throws IOException         when the packet does not fit in {@code dst}, or the peer broke the ring's rules
     */
    int receive(ByteBuffer dst) throws IOException, InterruptedException;

    /** As {@link #receive(ByteBuffer)}, waiting at most {@code timeout}; a timeout of 0 does not wait. */
    int receive(ByteBuffer dst, long timeout, TimeUnit unit) throws IOException, InterruptedException;

    /**
     * Waits until packets are there and hands up to {@code limit} of them to {@code handler} in
     * place, without copying.
     *
     * @return how many were handled (at least one), or {@link #END}
     */
    int receive(TubeHandler handler, int limit) throws IOException, InterruptedException;

    /**
     * A stream tube's bytes in place, without a copy: waits for bytes and hands those that are there
     * to {@code handler} as read-only views (of up to 64 records), each valid only during its call.
     *
     * @return how many bytes were handed over, or -1 once the peer closed and everything was read
     */
    long readInPlace(TubeHandler handler) throws IOException;

    /** A stream tube's bytes as a blocking channel; closing it lets go of the reader, as {@link #close()}. */
    ReadableByteChannel channel() throws TubeException;

    /** Lets go of the tube's reading side, so that someone else may take it; the tube stays open. */
    @Override
    void close();
}
