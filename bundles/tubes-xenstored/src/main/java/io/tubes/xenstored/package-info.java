/**
 * The embedded xenstored of the simulated host: start one in a directory, introduce and release
 * domains as a toolstack would, stop it.
 */
@Version("1.0.0")
package io.tubes.xenstored;

import org.osgi.annotation.versioning.Version;
