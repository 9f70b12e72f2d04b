package io.tubes.xenstore.client.internal;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import io.tubes.xenstore.client.XenStoreAddress;

/**
 * The byte pipe to xenstored: one reader thread and any number of writers at once, each writing
 * whole frames. The same framing travels over a socket and over the xenbus device.
 */
interface Transport extends Closeable
{
    /** Fills the buffer; {@link EOFException} when xenstored closed the connection. */
    void readFully(ByteBuffer buffer) throws IOException;

    /** Writes the whole buffer. */
    void writeFully(ByteBuffer buffer) throws IOException;

    static Transport open(final XenStoreAddress address) throws IOException
    {
        return address.device() ? new Device(address) : new Socket(address);
    }

    /** A Unix socket; a blocking {@link SocketChannel} reads and writes on separate locks. */
    final class Socket implements Transport
    {
        private final SocketChannel channel;

        Socket(final XenStoreAddress address) throws IOException
        {
            this.channel = SocketChannel.open(UnixDomainSocketAddress.of(address.path()));
        }

        @Override
        public void readFully(final ByteBuffer buffer) throws IOException
        {
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer) < 0)
                {
                    throw new EOFException("xenstored closed the connection");
                }
            }
        }

        @Override
        public void writeFully(final ByteBuffer buffer) throws IOException
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    /**
     * The xenbus device of a guest. It keeps per-open state, so reads and writes share one open file;
     * plain streams over its descriptor let a blocked read and a write proceed at once.
     */
    final class Device implements Transport
    {
        private final RandomAccessFile file;
        private final FileInputStream in;
        private final FileOutputStream out;

        Device(final XenStoreAddress address) throws IOException
        {
            this.file = new RandomAccessFile(address.path().toFile(), "rw");
            this.in = new FileInputStream(file.getFD());
            this.out = new FileOutputStream(file.getFD());
        }

        @Override
        public void readFully(final ByteBuffer buffer) throws IOException
        {
            while (buffer.hasRemaining())
            {
                final int n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                if (n < 0)
                {
                    throw new EOFException("the xenbus device closed");
                }
                buffer.position(buffer.position() + n);
            }
        }

        @Override
        public void writeFully(final ByteBuffer buffer) throws IOException
        {
            out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            buffer.position(buffer.limit());
        }

        @Override
        public void close() throws IOException
        {
            file.close();
        }
    }
}
