package io.tubes.handshake;

import java.util.EnumSet;
import java.util.Set;

import io.tubes.tube.AcceptOptions;
import io.tubes.tube.TubeMode;

/**
 * Which knocks a domain accepts by itself, without an {@code accept} call waiting for them: from
 * which peers (their names or ids; {@code "*"} for every domain), how many tubes at once from one
 * peer and from all, in which modes, and with which ring size. A knock outside the policy is
 * refused: the tip writes why in the knock's {@code error} node and Closed in its {@code state}.
 *
 * @param peers      names or domain ids of the domains that may knock, or {@code "*"}; empty: knocks
 *                   wait for an {@code accept} call, as without a policy
 * @param perPeer    accepted tubes open at once from one peer, at most
 * @param total      accepted tubes open at once in all, at most
 * @param modes      modes a knock may ask for
 * @param ringSize   bytes in each ring of an accepted tube
 */
public record AcceptPolicy(Set<String> peers, int perPeer, int total, Set<TubeMode> modes, int ringSize)
{
    /** Knocks that wait for an accept call at most; more are refused at once, whatever the policy. */
    public static final int MAX_WAITING = 64;

    /**
     * Refused knocks whose {@code error} node is kept for their nock at most; later ones are removed
     * without one (their nock fails at its open timeout), so that a flood costs the tip no quota.
     */
    public static final int MAX_REFUSED = 64;

    /** Knocks wait for {@code accept} calls; none is accepted by itself. */
    public static final AcceptPolicy NONE = new AcceptPolicy(Set.of(), 0, 0, EnumSet.allOf(TubeMode.class),
        AcceptOptions.DEFAULT_RING_SIZE);

    public AcceptPolicy
    {
        peers = Set.copyOf(peers);
        modes = Set.copyOf(modes);
        if (perPeer < 0 || total < 0)
        {
            throw new IllegalArgumentException("tube limits cannot be negative: " + perPeer + " per peer, "
                + total + " in all");
        }
    }

    /** Whether knocks are accepted by the policy at all (else they wait for accept calls). */
    public boolean acceptsAny()
    {
        return !peers.isEmpty();
    }

    /**
     * Why a knock from {@code peerName} (domain {@code peer}) in {@code mode} is refused, or null when
     * it is accepted: as the nock reads it, "{@code self} refused the tube: ...".
     *
     * @param fromPeer tubes from that peer this domain accepted and holds now
     * @param accepted tubes this domain accepted and holds now, from all peers
     */
    public String refusal(final String self, final int peer, final String peerName, final TubeMode mode,
        final int fromPeer, final int accepted)
    {
        final String why;
        if (!peers.contains("*") && !peers.contains(peerName) && !peers.contains(Integer.toString(peer)))
        {
            why = peerName + " is not in its accept policy";
        }
        else if (!modes.contains(mode))
        {
            why = "it accepts no " + mode.node() + " tubes";
        }
        else if (fromPeer >= perPeer)
        {
            why = peerName + " holds " + fromPeer + " tubes to it already, the most its policy allows";
        }
        else if (accepted >= total)
        {
            why = "it holds " + accepted + " accepted tubes already, the most its policy allows";
        }
        else
        {
            return null;
        }
        return self + " refused the tube: " + why;
    }
}
