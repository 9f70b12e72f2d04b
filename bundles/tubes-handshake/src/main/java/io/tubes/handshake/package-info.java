/**
 * The seed's handshake as a library: {@link io.tubes.handshake.TubeEngines#start} gives a domain's
 * {@link io.tubes.tube.TubeService}, with {@link io.tubes.handshake.TubeEvents} for whoever
 * publishes its tubes and an {@link io.tubes.handshake.AcceptPolicy} for the knocks it takes by
 * itself. Inside OSGi the registry bundle runs it and publishes the {@code TubeService} service.
 */
@Version("0.2.0")
package io.tubes.handshake;

import org.osgi.annotation.versioning.Version;
