package io.tubes.xenstore.client.internal;

import java.util.ArrayList;
import java.util.List;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStoreException;
import io.tubes.xenstore.XenStoreOperations;
import io.tubes.xenstore.wire.XsMessageType;
import io.tubes.xenstore.wire.XsPayload;

/** The node operations as requests on one connection, in one transaction (0 for none). */
class NodeOperations implements XenStoreOperations
{
    private final XenStoreClient client;
    private final int txId;

    NodeOperations(final XenStoreClient client, final int txId)
    {
        this.client = client;
        this.txId = txId;
    }

    @Override
    public byte[] read(final String path) throws XenStoreException
    {
        return client.call(XsMessageType.READ, txId, XsPayload.strings(path), "read " + path);
    }

    @Override
    public void write(final String path, final byte[] value) throws XenStoreException
    {
        client.call(XsMessageType.WRITE, txId, XsPayload.stringThenBytes(path, value), "write " + path);
    }

    @Override
    public void mkdir(final String path) throws XenStoreException
    {
        client.call(XsMessageType.MKDIR, txId, XsPayload.strings(path), "mkdir " + path);
    }

    @Override
    public void rm(final String path) throws XenStoreException
    {
        client.call(XsMessageType.RM, txId, XsPayload.strings(path), "rm " + path);
    }

    @Override
    public List<String> directory(final String path) throws XenStoreException
    {
        final byte[] reply = client.call(XsMessageType.DIRECTORY, txId, XsPayload.strings(path), "directory " + path);
        return XsPayload.split(reply, reply.length);
    }

    @Override
    public List<Permission> getPermissions(final String path) throws XenStoreException
    {
        final String what = "get permissions of " + path;
        final byte[] reply = client.call(XsMessageType.GET_PERMS, txId, XsPayload.strings(path), what);
        final List<Permission> perms = new ArrayList<>();
        for (final String text : XsPayload.split(reply, reply.length))
        {
            try
            {
                perms.add(Permission.parse(text));
            }
            catch (final IllegalArgumentException e)
            {
                throw new XenStoreException(what + ": xenstored sent an invalid permission: " + e.getMessage(), e);
            }
        }
        return perms;
    }

    @Override
    public void setPermissions(final String path, final List<Permission> permissions) throws XenStoreException
    {
        if (permissions.isEmpty())
        {
            throw new IllegalArgumentException("a permission list needs at least the owner: path=" + path);
        }
        final String[] parts = new String[permissions.size() + 1];
        parts[0] = path;
        for (int i = 0; i < permissions.size(); i++)
        {
            parts[i + 1] = permissions.get(i).toString();
        }
        client.call(XsMessageType.SET_PERMS, txId, XsPayload.strings(parts), "set permissions of " + path);
    }
}
