/**
 * The simulated host's driver, domain side, for plain Java:
 * {@link io.tubes.driver.sim.SimXenDriver#join} joins a host as a domain and offers its grant
 * tables and event channels. In OSGi, configuration {@code io.tubes.host} publishes it as the
 * {@code XenDriver} service instead.
 */
@Version("1.0.0")
package io.tubes.driver.sim;

import org.osgi.annotation.versioning.Version;
