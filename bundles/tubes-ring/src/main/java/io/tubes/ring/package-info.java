/**
 * The tube's data path: one direction of a tube is a single-producer, single-consumer ring in
 * shared pages ({@link io.tubes.ring.RingLayout}), written by a {@link io.tubes.ring.RingWriter} and
 * read by a {@link io.tubes.ring.RingReader}, which trusts nothing the peer wrote. The byte layout is
 * in {@code docs/PROTOCOL.md}.
 */
@Version("0.4.0")
package io.tubes.ring;

import org.osgi.annotation.versioning.Version;
