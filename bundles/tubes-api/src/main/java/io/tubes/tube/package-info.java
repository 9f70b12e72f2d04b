/**
 * What names a tube and what its ends say in XenStore, as the seed's handshake lays it out: the
 * two roles ({@link io.tubes.tube.TubeRole}), the states each end writes
 * ({@link io.tubes.tube.TubeState}), a tube's nodes ({@link io.tubes.tube.TubePaths}) and its
 * reproducible name ({@link io.tubes.tube.TubeId}). Shared by the handshake, the registry and the
 * tools that inspect tubes; and the tube itself ({@link io.tubes.tube.Tube}), its sides
 * ({@link io.tubes.tube.TubeReader}, {@link io.tubes.tube.TubeWriter}) and the service that opens and
 * accepts tubes ({@link io.tubes.tube.TubeService}).
 */
@Version("0.2.0")
package io.tubes.tube;

import org.osgi.annotation.versioning.Version;
