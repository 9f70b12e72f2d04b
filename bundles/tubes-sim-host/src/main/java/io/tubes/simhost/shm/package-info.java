/**
 * The simulated host's shared memory, used by the host and by every domain's driver: event pages
 * (one per event-channel handle) and futex waits and wakes between processes.
 */
@Export
@Version("1.0.0")
package io.tubes.simhost.shm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
