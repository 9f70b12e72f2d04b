package io.tubes.itests;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The API each Tubes bundle exports, by symbolic name (its module name too): every other package is private. */
final class ApiPackages
{
    static final Map<String, Set<String>> BY_BUNDLE = sorted(Map.ofEntries(
        Map.entry("io.tubes.api", Set.of("io.tubes.driver", "io.tubes.tube", "io.tubes.tube.runtime",
            "io.tubes.xenstore", "io.tubes.xenstore.wire")),
        Map.entry("io.tubes.xenstore.client", Set.of("io.tubes.xenstore.client")),
        Map.entry("io.tubes.xenstored", Set.of("io.tubes.xenstored")),
        Map.entry("io.tubes.sim.protocol", Set.of("io.tubes.sim.protocol")),
        Map.entry("io.tubes.simhost", Set.of("io.tubes.simhost")),
        Map.entry("io.tubes.driver.sim", Set.of("io.tubes.driver.sim")),
        Map.entry("io.tubes.driver.xen", Set.of("io.tubes.driver.xen")),
        Map.entry("io.tubes.ring", Set.of("io.tubes.ring")),
        Map.entry("io.tubes.handshake", Set.of("io.tubes.handshake")),
        Map.entry("io.tubes.registry", Set.of()),
        Map.entry("io.tubes.cli", Set.of()),
        Map.entry("io.tubes.example.echo", Set.of()),
        Map.entry("io.tubes.shell", Set.of())));

    /**
     * The bundles in the distribution's system/ repository that Karaf does not start: bin/tubes's, for the
     * module path, and the example consumer's, installed where wanted.
     */
    static final Set<String> NOT_STARTED = Set.of("io.tubes.cli", "io.tubes.example.echo");

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
