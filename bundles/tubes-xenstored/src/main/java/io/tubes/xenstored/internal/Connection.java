package io.tubes.xenstored.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tubes.xenstore.wire.XsHeader;

/**
 * One client connection: its half-read frame, its queued replies and events, its transactions and
 * watches. Only the server's loop thread touches it.
 */
final class Connection
{
    /** A watch set by this connection; {@code relativeBase} is the prefix stripped from event paths, or null. */
    record WatchEntry(String path, String token, String relativeBase)
    {
    }

    final SocketChannel channel;
    final String name;
    SelectionKey key;
    Caller caller;

    final ByteBuffer header = ByteBuffer.allocate(XsHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer payload;
    XsHeader pending;

    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    long outBytes;

    final Map<Integer, Transaction> transactions = new HashMap<>();
    int nextTransactionId = 1;
    final List<WatchEntry> watches = new ArrayList<>();
    boolean closed;

    Connection(final SocketChannel channel, final Caller caller, final String name)
    {
        this.channel = channel;
        this.caller = caller;
        this.name = name;
    }

    @Override
    public String toString()
    {
        return name;
    }
}
