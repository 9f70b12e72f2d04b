package io.tubes.tube;

/** What a tube carries: packets, whose boundaries it keeps, or a stream of bytes without them. */
public enum TubeMode
{
    PACKET("packet"),
    STREAM("stream");

    private final String node;

    TubeMode(final String node)
    {
        this.node = node;
    }

    /** The name written in the nock's {@code mode} node, in service properties and on the command line. */
    public String node()
    {
        return node;
    }

    /**
     * The mode a {@code mode} node names; {@code null} (no node) is {@link #PACKET}.
     *
     * @throws IllegalArgumentException naming the value, for anything but {@code packet} or {@code stream}
     */
    public static TubeMode ofNode(final String value)
    {
        if (value == null || PACKET.node.equals(value))
        {
            return PACKET;
        }
        if (STREAM.node.equals(value))
        {
            return STREAM;
        }
        throw new IllegalArgumentException("a tube's mode is packet or stream, not '" + TubeState.printable(value) + "'");
    }
}
