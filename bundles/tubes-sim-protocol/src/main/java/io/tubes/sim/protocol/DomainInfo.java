package io.tubes.sim.protocol;

import java.time.Instant;

/**
 * A domain of the simulated host, as its status view shows it.
 *
 * @param domid  the domain id the host gave it
 * @param name   the name it joined with
 * @param pid    the process id it reported
 * @param joined when it joined
 */
public record DomainInfo(int domid, String name, long pid, Instant joined)
{
}
