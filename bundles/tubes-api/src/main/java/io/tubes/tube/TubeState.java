package io.tubes.tube;

/**
 * A tube end's state: the xenbus numbers each end writes in its {@code state} node. A node that is
 * gone reads as {@link #UNKNOWN}, and means that end is gone, as for Xen's split drivers.
 */
public enum TubeState
{
    UNKNOWN(0),
    INITIALISING(1),
    INIT_WAIT(2),
    INITIALISED(3),
    CONNECTED(4),
    CLOSING(5),
    CLOSED(6);

    private static final TubeState[] BY_NUMBER = values();

    private final int xenbus;

    TubeState(final int xenbus)
    {
        this.xenbus = xenbus;
    }

    /** The number written in the node. */
    public int xenbus()
    {
        return xenbus;
    }

    /** What the node holds for this state. */
    public String node()
    {
        return Integer.toString(xenbus);
    }

    /**
     * The state a {@code state} node says: {@code null} (the node is gone) is {@link #UNKNOWN};
     * otherwise one digit, 1 to 6.
     *
     * @throws IllegalArgumentException naming the value, for anything else (0 included: an end
     *         never writes Unknown)
     */
    public static TubeState ofNode(final String value)
    {
        if (value == null)
        {
            return UNKNOWN;
        }
        if (value.length() == 1 && value.charAt(0) >= '1' && value.charAt(0) <= '6')
        {
            return BY_NUMBER[value.charAt(0) - '0'];
        }
        throw new IllegalArgumentException("a tube's state node holds 1 to 6, not '" + printable(value) + "'");
    }

    /** Whether the end has begun to close, or has closed. */
    public boolean closing()
    {
        return this == CLOSING || this == CLOSED;
    }

    /** At most 32 characters of a peer's value, anything unprintable shown as '?'. */
    static String printable(final String value)
    {
        final StringBuilder shown = new StringBuilder();
        value.codePoints().limit(32).forEach(c -> shown.append(c >= 0x20 && c < 0x7F ? (char) c : '?'));
        return value.length() > 32 ? shown + "..." : shown.toString();
    }
}
