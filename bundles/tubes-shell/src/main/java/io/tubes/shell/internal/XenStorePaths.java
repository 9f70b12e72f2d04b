package io.tubes.shell.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tubes.xenstore.Permission;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreException;

/** The tree walk and formatting the commands share, in the shape of Xen's xenstore-ls. */
final class XenStorePaths
{
    private XenStorePaths()
    {
    }

    /** Lines as {@code xenstore-ls} prints them: one per node, indented one space per level. */
    static List<String> ls(final XenStore xs, final String path, final boolean perms) throws XenStoreException
    {
        final List<String> lines = new ArrayList<>();
        walk(xs, path, 0, perms, lines);
        return lines;
    }

    private static void walk(final XenStore xs, final String path, final int depth, final boolean perms,
        final List<String> lines) throws XenStoreException
    {
        for (final String child : xs.directory(path))
        {
            final String childPath = "/".equals(path) ? "/" + child : path + "/" + child;
            final StringBuilder line = new StringBuilder(" ".repeat(depth)).append(child).append(" = \"")
                .append(printable(xs.read(childPath))).append('"');
            if (perms)
            {
                line.append("  (").append(join(xs.getPermissions(childPath))).append(')');
            }
            lines.add(line.toString());
            walk(xs, childPath, depth + 1, perms, lines);
        }
    }

    /** A value as xenstore-ls shows it: printable ASCII as is, other bytes as {@code \xNN}. */
    static String printable(final byte[] value)
    {
        final StringBuilder out = new StringBuilder();
        for (final byte b : value)
        {
            final int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"')
            {
                out.append((char) c);
            }
            else
            {
                out.append(String.format("\\x%02x", c));
            }
        }
        return out.toString();
    }

    static String join(final List<Permission> perms)
    {
        final List<String> texts = new ArrayList<>();
        perms.forEach(perm -> texts.add(perm.toString()));
        return String.join(",", texts);
    }

    static byte[] bytes(final String value)
    {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
