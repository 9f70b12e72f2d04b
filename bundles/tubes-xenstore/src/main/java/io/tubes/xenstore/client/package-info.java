/**
 * Connections to xenstored for plain Java: {@link io.tubes.xenstore.client.XenStoreClients#connect}
 * at an {@link io.tubes.xenstore.client.XenStoreAddress}, for example
 * {@code XenStoreClients.connect(XenStoreAddress.resolve("", null, System.getenv()))}. In OSGi,
 * reference the {@code XenStore} service instead.
 */
@Version("1.0.0")
package io.tubes.xenstore.client;

import org.osgi.annotation.versioning.Version;
