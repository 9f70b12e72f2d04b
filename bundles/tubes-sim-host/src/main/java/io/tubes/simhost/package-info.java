/**
 * The simulated Xen host, for plain Java and tests: {@link io.tubes.simhost.SimHost#start} runs
 * xenstored in a host directory and introduces and releases domains as Xen's toolstack would. In
 * OSGi, configuration {@code io.tubes.simhost} runs one; on the module path, {@code -m io.tubes.simhost}.
 */
@Version("1.0.0")
package io.tubes.simhost;

import org.osgi.annotation.versioning.Version;
