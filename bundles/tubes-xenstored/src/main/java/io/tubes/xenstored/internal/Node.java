package io.tubes.xenstored.internal;

import java.util.ArrayList;
import java.util.List;

import io.tubes.xenstore.Permission;

/**
 * One XenStore node, immutable so that a transaction can hold the version it saw while the live
 * tree moves on. The path is the key it is stored under, not part of the node.
 */
record Node(byte[] value, List<Permission> perms, List<String> children, long generation)
{
    /** Bytes of C xenstored's record header ({@code struct xs_tdb_record_hdr}, 8-byte aligned). */
    private static final int RECORD_HEADER = 24;

    /** Bytes per permission entry in that record. */
    private static final int RECORD_PERM = 8;

    static final byte[] EMPTY = new byte[0];

    Node withValue(final byte[] newValue)
    {
        return new Node(newValue, perms, children, generation);
    }

    Node withPerms(final List<Permission> newPerms)
    {
        return new Node(value, List.copyOf(newPerms), children, generation);
    }

    Node withChild(final String name)
    {
        final List<String> more = new ArrayList<>(children.size() + 1);
        more.addAll(children);
        more.add(name);
        return new Node(value, perms, List.copyOf(more), generation);
    }

    Node withoutChild(final String name)
    {
        final List<String> fewer = new ArrayList<>(children);
        fewer.remove(name);
        return new Node(value, perms, List.copyOf(fewer), generation);
    }

    Node withGeneration(final long newGeneration)
    {
        return new Node(value, perms, children, newGeneration);
    }

    int owner()
    {
        return perms.get(0).domid();
    }

    /** The size C xenstored gives the node's record, which its node-size quota limits. */
    int recordSize()
    {
        return RECORD_HEADER + RECORD_PERM * perms.size() + value.length + childrenLength();
    }

    private int childrenLength()
    {
        int length = 0;
        for (final String child : children)
        {
            length += child.length() + 1;
        }
        return length;
    }

    /** The children as xenstored sends them: each name NUL-terminated. */
    byte[] childrenBytes()
    {
        final byte[] out = new byte[childrenLength()];
        int at = 0;
        for (final String child : children)
        {
            for (int i = 0; i < child.length(); i++)
            {
                out[at++] = (byte) child.charAt(i); // node names are ASCII by the path rules
            }
            out[at++] = 0;
        }
        return out;
    }
}
