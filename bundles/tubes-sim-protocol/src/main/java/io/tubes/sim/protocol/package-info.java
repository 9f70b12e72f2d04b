/**
 * What the simulated host and every domain's driver share, as Xen's toolstack and its guests share
 * public headers: the host directory's layout ({@link io.tubes.sim.protocol.HostLayout}), the
 * line protocol on its control socket ({@link io.tubes.sim.protocol.ControlProtocol}), the event
 * page of each event-channel handle ({@link io.tubes.sim.protocol.EventPage}) and the futex that
 * wakes a sleeping domain ({@link io.tubes.sim.protocol.Futex}). Neither side's implementation.
 */
@Version("1.2.0")
package io.tubes.sim.protocol;

import org.osgi.annotation.versioning.Version;
