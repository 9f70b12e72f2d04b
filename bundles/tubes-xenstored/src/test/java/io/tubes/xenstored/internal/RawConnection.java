package io.tubes.xenstored.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.tubes.xenstore.wire.XsHeader;
import io.tubes.xenstore.wire.XsMessageType;
import io.tubes.xenstore.wire.XsPayload;

/** A test's own socket to xenstored that sends raw frames, well-formed or not, and reads replies. */
final class RawConnection implements AutoCloseable
{
    /** A frame read back. */
    record Frame(int type, int reqId, int txId, byte[] payload)
    {
        String text()
        {
            return XsPayload.text(payload);
        }

        List<String> strings()
        {
            return XsPayload.split(payload, payload.length);
        }

        boolean isError(final String name)
        {
            return type == XsMessageType.ERROR.code() && name.equals(text());
        }
    }

    final SocketChannel channel;

    RawConnection(final Path socket) throws IOException
    {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    void send(final int type, final int reqId, final int txId, final long declaredLength, final byte[] payload)
        throws IOException
    {
        final ByteBuffer frame = ByteBuffer.allocate(XsHeader.SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(type).putInt(reqId).putInt(txId).putInt((int) declaredLength).put(payload).flip();
        while (frame.hasRemaining())
        {
            channel.write(frame);
        }
    }

    void send(final XsMessageType type, final int txId, final byte[] payload) throws IOException
    {
        send(type.code(), 77, txId, payload.length, payload);
    }

    Frame read() throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(XsHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        fill(header);
        header.flip();
        final XsHeader h = XsHeader.read(header);
        final ByteBuffer payload = ByteBuffer.allocate((int) h.length());
        fill(payload);
        return new Frame(h.type(), h.reqId(), h.txId(), payload.array());
    }

    /** Sends a request and returns its reply, skipping watch events. */
    Frame call(final XsMessageType type, final int txId, final byte[] payload) throws IOException
    {
        send(type, txId, payload);
        Frame frame = read();
        while (frame.type() == XsMessageType.WATCH_EVENT.code())
        {
            frame = read();
        }
        return frame;
    }

    Frame call(final XsMessageType type, final String... args) throws IOException
    {
        return call(type, 0, XsPayload.strings(args));
    }

    /** Writes a node and insists that it worked. */
    void write(final String path, final String value) throws IOException
    {
        final Frame reply = call(XsMessageType.WRITE, 0,
            XsPayload.stringThenBytes(path, value.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("OK", reply.text(), "write " + path);
    }

    private void fill(final ByteBuffer buffer) throws IOException
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
    public void close() throws IOException
    {
        channel.close();
    }
}
