/**
 * The driver SPI: what Tubes needs from a hypervisor, cut as Xen's user-space libraries cut it.
 * {@link io.tubes.driver.GrantTable} is libxengnttab (share pages with a domain, map a domain's
 * grants), {@link io.tubes.driver.EventChannels} is a libxenevtchn handle (bind, notify, wait). A
 * {@link io.tubes.driver.XenDriver} service gives both for the domain it runs in; the simulated host
 * and real Xen each provide one.
 */
@Version("1.2.0")
package io.tubes.driver;

import org.osgi.annotation.versioning.Version;
