package io.tubes.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every Tubes jar of the distribution exports its API packages and nothing else, the same in its
 * OSGi manifest and in its JPMS module descriptor, and is a named module, not an automatic one.
 */
class BundleExportsIT
{
    private static final Pattern VERSION = Pattern.compile(";version=\"([^\"]*)\"");

    @Test
    void eachJarExportsItsApiOnlyInItsManifestAndItsModuleDescriptor() throws IOException
    {
        final Map<String, Set<String>> osgi = new TreeMap<>();
        final Map<String, Set<String>> jpms = new TreeMap<>();
        for (final Path jar : tubesJars())
        {
            try (JarFile file = new JarFile(jar.toFile()))
            {
                final String name = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                final Map<String, String> exports = exports(file.getManifest().getMainAttributes()
                    .getValue("Export-Package"));
                exports.forEach((exported, version) -> assertTrue(version.matches("\\d+\\.\\d+\\.\\d+"),
                    name + " exports " + exported + " with a version of its own: " + version));
                osgi.put(name, exports.keySet());
            }
            final ModuleReference module = ModuleFinder.of(jar).findAll().iterator().next();
            final ModuleDescriptor descriptor = module.descriptor();
            assertFalse(descriptor.isAutomatic(), jar + " is a named module, not an automatic one");
            jpms.put(descriptor.name(), descriptor.exports().stream()
                .peek(e -> assertTrue(e.targets().isEmpty(), descriptor.name() + " exports " + e + " unqualified"))
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new)));
        }
        assertEquals(ApiPackages.BY_BUNDLE, ApiPackages.sorted(osgi), "OSGi exports");
        assertEquals(ApiPackages.BY_BUNDLE, ApiPackages.sorted(jpms), "JPMS exports");
    }

    /** The packages of an {@code Export-Package} header and their versions ("" for none). */
    static Map<String, String> exports(final String header)
    {
        final Map<String, String> exports = new TreeMap<>();
        if (header == null)
        {
            return exports;
        }
        // Clauses are separated by commas outside quotes (a uses:= list is quoted).
        for (final String clause : header.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)"))
        {
            final Matcher version = VERSION.matcher(clause);
            exports.put(clause.split(";")[0].trim(), version.find() ? version.group(1) : "");
        }
        return exports;
    }

    private static List<Path> tubesJars() throws IOException
    {
        final Path system = Path.of(System.getProperty("tubes.distribution"), "system", "io", "tubes");
        try (Stream<Path> files = Files.walk(system))
        {
            final List<Path> jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
            assertEquals(ApiPackages.BY_BUNDLE.size(), jars.size(), "one jar per bundle in " + system + ": " + jars);
            return jars;
        }
    }
}
