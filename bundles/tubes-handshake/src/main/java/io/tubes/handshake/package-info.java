/**
 * The seed's handshake as a library: {@link io.tubes.handshake.TubeEngines#start} gives a domain's
 * {@link io.tubes.tube.TubeService} outside OSGi. Inside OSGi the bundle publishes the
 * {@code TubeService} service itself.
 */
@Version("0.1.0")
package io.tubes.handshake;

import org.osgi.annotation.versioning.Version;
