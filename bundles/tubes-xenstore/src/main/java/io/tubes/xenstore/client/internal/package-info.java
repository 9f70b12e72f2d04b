/** The XenStore client and the component that shares one connection as the {@code XenStore} service. Private. */
package io.tubes.xenstore.client.internal;
