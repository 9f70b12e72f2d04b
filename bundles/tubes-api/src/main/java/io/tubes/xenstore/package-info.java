/**
 * The XenStore client API: read, write and watch Xen's shared configuration tree, in transactions
 * when several changes must land together.
 */
@Version("1.0.0")
package io.tubes.xenstore;

import org.osgi.annotation.versioning.Version;
