/**
 * What a domain's tubes are doing, as data: the {@link io.tubes.tube.runtime.TubeRuntime} service
 * returns a {@link io.tubes.tube.runtime.TubeDTO} for each tube, for shells, consoles and tests.
 */
@Version("0.1.0")
package io.tubes.tube.runtime;

import org.osgi.annotation.versioning.Version;
