package io.tubes.sim.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One end of a control connection: lines of text, each at most {@link ControlProtocol#MAX_LINE}
 * bytes, over a blocking Unix socket. One thread reads; writes are whole lines.
 */
public final class ControlChannel implements AutoCloseable
{
    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(ControlProtocol.MAX_LINE);

    public ControlChannel(final SocketChannel channel)
    {
        this.channel = channel;
        in.flip();
    }

    /** Connects to a host's control socket. */
    public static ControlChannel connect(final Path socket) throws IOException
    {
        return new ControlChannel(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /**
     * The next line without its newline.
     *
     * @throws EOFException when the peer closed the connection
     * @throws IOException  when the line is longer than allowed
     */
    public String readLine() throws IOException
    {
        while (true)
        {
            for (int i = in.position(); i < in.limit(); i++)
            {
                if (in.get(i) == '\n')
                {
                    final byte[] line = new byte[i - in.position()];
                    in.get(line);
                    in.get(); // the newline
                    return new String(line, StandardCharsets.UTF_8);
                }
            }
            in.compact();
            if (!in.hasRemaining())
            {
                throw new IOException("control line longer than " + ControlProtocol.MAX_LINE + " bytes");
            }
            final int n = channel.read(in);
            in.flip();
            if (n < 0)
            {
                throw new EOFException("the control connection closed");
            }
        }
    }

    /** Sends one line; a newline is added. */
    public void writeLine(final String line) throws IOException
    {
        final ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining())
        {
            channel.write(out);
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
