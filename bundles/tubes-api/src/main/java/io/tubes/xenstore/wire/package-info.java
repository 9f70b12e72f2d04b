/**
 * Xen's XenStore wire format ({@code xen/include/public/io/xs_wire.h}, Xen 4.17): message types,
 * the 16-byte header, payload and path limits and path rules, shared by every client and server
 * that speaks it.
 */
@Version("1.0.0")
package io.tubes.xenstore.wire;

import org.osgi.annotation.versioning.Version;
