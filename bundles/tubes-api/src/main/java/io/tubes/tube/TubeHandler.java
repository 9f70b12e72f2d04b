package io.tubes.tube;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/** Takes packets in place, without a copy (see {@link TubeReader#receive(TubeHandler, int)}). */
@ConsumerType
@FunctionalInterface
public interface TubeHandler
{
    /**
     * One packet, as a read-only view between its position and limit, valid only during this call.
     * The peer could change the bytes while they are read: copy what must stay stable.
     */
    void onPacket(ByteBuffer packet);
}
