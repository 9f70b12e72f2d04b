/**
 * The real-Xen driver for plain Java: {@link io.tubes.driver.xen.XenDomainDriver#open} opens the
 * driver of the domain the program runs in. In OSGi, configuration {@code io.tubes.host} with
 * {@code driver=xen} publishes it as the {@code XenDriver} service instead.
 */
@Version("1.0.0")
package io.tubes.driver.xen;

import org.osgi.annotation.versioning.Version;
