package io.tubes.shell.internal;

import java.util.List;
import java.util.function.Function;

import io.tubes.tube.Tube;
import io.tubes.tube.TubeService;
import io.tubes.tube.runtime.TubeDTO;

/**
 * How the tube:* commands name a tube: its id {@code nock>tip/index}, quoted in the shell (where
 * {@code >} redirects output), or {@code PEER/INDEX} where only one tube of this domain has that peer
 * and index.
 */
final class Tubes
{
    static final String NAMING = "the tube: PEER/INDEX, or its id in quotes (\"nock>tip/index\"), as tube:list shows";

    private Tubes()
    {
    }

    /** The connected tube that {@code name} names, or an error that says where to look. */
    static Tube connected(final TubeService tubes, final String name)
    {
        final List<Tube> named = named(tubes.tubes(), name, tube -> tube.id().toString(),
            tube -> tube.peerName() + "/" + tube.index());
        if (named.isEmpty())
        {
            throw new IllegalArgumentException("no tube " + name + " is connected in domain " + tubes.name()
                + "; tube:list shows those that are, tube:list --closed those that closed");
        }
        return named.get(0);
    }

    /** The tube that {@code name} names in {@code dtos}, or null. */
    static TubeDTO dto(final List<TubeDTO> dtos, final String name)
    {
        final List<TubeDTO> named = named(dtos, name, dto -> dto.id, Tubes::shortName);
        return named.isEmpty() ? null : named.get(0);
    }

    /** PEER/INDEX of a tube. */
    static String shortName(final TubeDTO dto)
    {
        return ("nock".equals(dto.role) ? dto.tipName : dto.nockName) + "/" + dto.index;
    }

    private static <T> List<T> named(final List<T> all, final String name, final Function<T, String> id,
        final Function<T, String> shortName)
    {
        final List<T> byId = all.stream().filter(t -> id.apply(t).equals(name)).toList();
        if (!byId.isEmpty())
        {
            return byId;
        }
        final List<T> byShortName = all.stream().filter(t -> shortName.apply(t).equals(name)).toList();
        if (byShortName.size() > 1)
        {
            throw new IllegalArgumentException(name + " names " + byShortName.size() + " tubes (one each way): give"
                + " the id in quotes instead, one of "
                + byShortName.stream().map(t -> "\"" + id.apply(t) + "\"").toList());
        }
        return byShortName;
    }
}
