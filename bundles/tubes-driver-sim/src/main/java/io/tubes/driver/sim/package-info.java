/**
 * The simulated host's driver, domain side: {@link io.tubes.driver.sim.SimXenDriver} joins a host as
 * a domain and offers its grant tables and event channels. In OSGi, configuration
 * {@code io.tubes.host} publishes it as the {@code XenDriver} service; outside, call
 * {@code SimXenDriver.join}.
 */
@Export
@Version("1.0.0")
package io.tubes.driver.sim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
