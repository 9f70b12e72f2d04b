package io.tubes.itests;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The API each Tubes bundle exports, by symbolic name (its module name too): every other package is private. */
final class ApiPackages
{
    static final Map<String, Set<String>> BY_BUNDLE = sorted(Map.of(
        "io.tubes.api", Set.of("io.tubes.driver", "io.tubes.tube", "io.tubes.xenstore", "io.tubes.xenstore.wire"),
        "io.tubes.xenstore.client", Set.of("io.tubes.xenstore.client"),
        "io.tubes.xenstored", Set.of("io.tubes.xenstored"),
        "io.tubes.sim.protocol", Set.of("io.tubes.sim.protocol"),
        "io.tubes.simhost", Set.of("io.tubes.simhost"),
        "io.tubes.driver.sim", Set.of("io.tubes.driver.sim"),
        "io.tubes.driver.xen", Set.of(),
        "io.tubes.ring", Set.of("io.tubes.ring"),
        "io.tubes.shell", Set.of()));

    private ApiPackages()
    {
    }

    /** The same packages, in order, so that two maps compare and print alike. */
    static Map<String, Set<String>> sorted(final Map<String, Set<String>> exports)
    {
        final Map<String, Set<String>> sorted = new TreeMap<>();
        exports.forEach((name, packages) -> sorted.put(name, new TreeSet<>(packages)));
        return sorted;
    }
}
