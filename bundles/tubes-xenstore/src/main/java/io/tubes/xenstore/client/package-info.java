/**
 * The XenStore client. In OSGi it is the {@code XenStore} service; this package is the entry point
 * for plain Java and for a toolstack that needs its own dom0 connection:
 * {@code XenStoreClient.connect(XenStoreAddress.resolve("", null, System.getenv()))}.
 */
@Export
@Version("1.0.0")
package io.tubes.xenstore.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
