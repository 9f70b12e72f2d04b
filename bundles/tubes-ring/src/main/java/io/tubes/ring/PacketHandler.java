package io.tubes.ring;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes packets from {@link RingReader#poll} without a copy. The buffer is a read-only view of the
 * ring (or of a scratch buffer, for a packet that wrapped or came in fragments) between its position
 * and limit, valid only during the call; it is the same object every time. The peer could still
 * change bytes of a view while it is read: copy what must stay stable.
 */
@ConsumerType
@FunctionalInterface
public interface PacketHandler
{
    void onPacket(ByteBuffer packet);
}
