/**
 * The XenStore client: {@link io.tubes.xenstore.client.XenStoreClient} is the {@code XenStore}
 * service in OSGi, and the way in on the plain module path. Not exported to other bundles: they use
 * the {@code io.tubes.xenstore} service API.
 */
package io.tubes.xenstore.client;
