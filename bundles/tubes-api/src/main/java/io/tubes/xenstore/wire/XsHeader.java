package io.tubes.xenstore.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 16-byte header before every XenStore payload, {@code struct xsd_sockmsg}: four 32-bit
 * little-endian words (every Xen platform is little-endian).
 *
 * <pre>
 *  0               4               8               12              16
 *  +---------------+---------------+---------------+---------------+
 *  |     type      |    req_id     |     tx_id     |      len      |  then len payload bytes
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 *
 * @param type   the message type number (kept raw: a peer may send one Xen does not define)
 * @param reqId  chosen by the requester and echoed in the reply; 0 in watch events
 * @param txId   the transaction the request belongs to, 0 for none
 * @param length the payload length, unsigned; Xen allows at most {@link #PAYLOAD_MAX}
 */
public record XsHeader(int type, int reqId, int txId, long length)
{
    /** Bytes in a header. */
    public static final int SIZE = 16;

    /** {@code XENSTORE_PAYLOAD_MAX}: a longer payload is a protocol violation that ends the connection. */
    public static final int PAYLOAD_MAX = 4096;

    /** Reads a header at the buffer's position and advances it by {@link #SIZE}. */
    public static XsHeader read(final ByteBuffer buffer)
    {
        final ByteOrder order = buffer.order();
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        final XsHeader header = new XsHeader(buffer.getInt(), buffer.getInt(), buffer.getInt(),
            Integer.toUnsignedLong(buffer.getInt()));
        buffer.order(order);
        return header;
    }

    /** Writes a header at the buffer's position and advances it by {@link #SIZE}. */
    public static void write(final ByteBuffer buffer, final int type, final int reqId, final int txId, final int length)
    {
        final ByteOrder order = buffer.order();
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(type).putInt(reqId).putInt(txId).putInt(length);
        buffer.order(order);
    }

    /** The message type, or {@code null} when the number is not one Xen 4.17 defines. */
    public XsMessageType messageType()
    {
        return XsMessageType.fromCode(type);
    }
}
