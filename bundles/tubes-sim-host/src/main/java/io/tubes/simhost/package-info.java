/**
 * The simulated Xen host: its directory layout, its control protocol, and the host itself, which
 * runs xenstored and introduces and releases domains as Xen's toolstack would.
 */
@Export
@Version("1.0.0")
package io.tubes.simhost;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
