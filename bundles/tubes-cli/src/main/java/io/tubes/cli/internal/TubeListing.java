package io.tubes.cli.internal;

import java.util.ArrayList;
import java.util.List;

import io.tubes.tube.TubePaths;
import io.tubes.tube.TubeRole;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreError;
import io.tubes.xenstore.XenStoreException;

/** Every tube on the host as dom0 reads it in XenStore: one row per nock directory, with the tip's nodes beside it. */
final class TubeListing
{
    private static final String FORMAT = "%-28s %-5s %-5s %-8s %-8s %-6s %-7s %s";

    private TubeListing()
    {
    }

    /**
     * One tube.
     *
     * @param name  {@code nock>tip/index}, by the domains' names
     * @param paths where its nodes are
     * @param nock  the nock's state node, "-" when it is missing
     * @param tip   the tip's
     */
    record Row(String name, TubePaths paths, String nock, String tip, String txRef, String rxRef, String port,
        String mode)
    {
        String line()
        {
            return String.format(FORMAT, name, nock, tip, txRef, rxRef, port, mode, paths.tipDir());
        }
    }

    static String header()
    {
        return String.format(FORMAT, "TUBE", "NOCK", "TIP", "TX-REF", "RX-REF", "PORT", "MODE", "TIP'S NODES");
    }

    static List<Row> read(final XenStore xs) throws XenStoreException
    {
        final List<Row> rows = new ArrayList<>();
        for (final String domain : children(xs, "/local/domain"))
        {
            final String nocks = "/local/domain/" + domain + "/data/nock";
            for (final String peer : children(xs, nocks))
            {
                for (final String index : children(xs, nocks + "/" + peer))
                {
                    final TubePaths paths = TubePaths.ofNockDir(nocks + "/" + peer + "/" + index);
                    if (paths != null)
                    {
                        rows.add(row(xs, paths));
                    }
                }
            }
        }
        return rows;
    }

    private static Row row(final XenStore xs, final TubePaths paths) throws XenStoreException
    {
        final String tip = paths.tipDir() + "/";
        return new Row(name(xs, paths.nock()) + ">" + name(xs, paths.tip()) + "/" + paths.index(), paths,
            node(xs, paths.nockDir() + "/" + TubePaths.STATE), node(xs, tip + TubePaths.STATE),
            node(xs, tip + TubePaths.TX_RING_REF), node(xs, tip + TubePaths.RX_RING_REF),
            node(xs, tip + TubePaths.EVENT_CHANNEL), node(xs, paths.dir(TubeRole.NOCK) + "/" + TubePaths.MODE));
    }

    private static String name(final XenStore xs, final int domid) throws XenStoreException
    {
        return xs.tryRead("/local/domain/" + domid + "/name").orElse(Integer.toString(domid));
    }

    private static String node(final XenStore xs, final String path) throws XenStoreException
    {
        return xs.tryRead(path).orElse("-");
    }

    private static List<String> children(final XenStore xs, final String path) throws XenStoreException
    {
        try
        {
            return xs.directory(path);
        }
        catch (final XenStoreException e)
        {
            if (e.is(XenStoreError.ENOENT))
            {
                return List.of();
            }
            throw e;
        }
    }
}
