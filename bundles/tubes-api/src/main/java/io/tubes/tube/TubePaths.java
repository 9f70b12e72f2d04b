package io.tubes.tube;

/**
 * Where one tube's nodes are, as the seed lays them out: the nock {@code A} writes
 * {@code /local/domain/A/data/nock/B/T}, the tip {@code B} {@code /local/domain/B/data/tip/A/T},
 * for tube index {@code T}. Each end's directory holds its {@code state}; the nock's names the
 * tip's in {@code tip}, the tip's names the nock's in {@code nock} and holds the tip's
 * {@code tx-ring-ref}, {@code rx-ring-ref} and {@code event-channel}.
 *
 * @param nock  the nock's domain id
 * @param tip   the tip's domain id
 * @param index the tube index, 0 and up: many tubes may link one pair
 */
public record TubePaths(int nock, int tip, int index)
{
    /** The node in each end's directory that holds its state. */
    public static final String STATE = "state";
    /** The node in the tip's directory: the grant ref of the ring the tip transmits on. */
    public static final String TX_RING_REF = "tx-ring-ref";
    /** The node in the tip's directory: the grant ref of the ring the tip receives on. */
    public static final String RX_RING_REF = "rx-ring-ref";
    /** The node in the tip's directory: the tip's unbound event-channel port for the nock. */
    public static final String EVENT_CHANNEL = "event-channel";
    /** The node in the nock's directory: the mode the nock asks for, {@code packet} or {@code stream}. */
    public static final String MODE = "mode";
    /** The node in either end's directory: why that end refused or failed the tube, for the other to read. */
    public static final String ERROR = "error";

    public TubePaths
    {
        if (nock < 0 || tip < 0 || index < 0)
        {
            throw new IllegalArgumentException("domain ids and the index are 0 and up: nock=" + nock + " tip=" + tip
                + " index=" + index);
        }
    }

    /** The directory under which {@code domid} receives knocks: {@code /local/domain/D/data/tip}. */
    public static String knocks(final int domid)
    {
        return "/local/domain/" + domid + "/data/tip";
    }

    /** The nock's directory, {@code /local/domain/A/data/nock/B/T}. */
    public String nockDir()
    {
        return dir(TubeRole.NOCK);
    }

    /** The tip's directory, {@code /local/domain/B/data/tip/A/T}. */
    public String tipDir()
    {
        return dir(TubeRole.TIP);
    }

    /** The directory of the end in {@code role}. */
    public String dir(final TubeRole role)
    {
        return role == TubeRole.NOCK
            ? "/local/domain/" + nock + "/data/nock/" + tip + "/" + index
            : knocks(tip) + "/" + nock + "/" + index;
    }

    /** A node in the directory of the end in {@code role}. */
    public String node(final TubeRole role, final String name)
    {
        return dir(role) + "/" + name;
    }

    /**
     * The tube whose tip directory is {@code path}, {@code /local/domain/B/data/tip/A/T}, as a knock
     * names it; or {@code null} when the path is anything else (garbage a peer may write).
     */
    public static TubePaths ofTipDir(final String path)
    {
        return of(path, TubeRole.TIP);
    }

    /** The tube whose nock directory is {@code path}, or {@code null} when it is anything else. */
    public static TubePaths ofNockDir(final String path)
    {
        return of(path, TubeRole.NOCK);
    }

    private static TubePaths of(final String path, final TubeRole role)
    {
        final String[] parts = path.split("/", -1);
        // "", "local", "domain", D, "data", role, E, T
        if (parts.length != 8 || !parts[0].isEmpty() || !"local".equals(parts[1]) || !"domain".equals(parts[2])
            || !"data".equals(parts[4]) || !role.node().equals(parts[5]))
        {
            return null;
        }
        final int self = number(parts[3]);
        final int other = number(parts[6]);
        final int index = number(parts[7]);
        if (self < 0 || other < 0 || index < 0)
        {
            return null;
        }
        return role == TubeRole.NOCK ? new TubePaths(self, other, index) : new TubePaths(other, self, index);
    }

    /** A decimal number without sign or leading zeros, under 2^31; else -1. */
    private static int number(final String digits)
    {
        if (digits.isEmpty() || digits.length() > 10 || digits.length() > 1 && digits.charAt(0) == '0')
        {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++)
        {
            final char c = digits.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }
}
