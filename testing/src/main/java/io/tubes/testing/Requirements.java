package io.tubes.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a tool, a library, root). Where it is missing the test is
 * skipped with a message naming it and how to get it, except under {@code CI=true}, where the
 * machine is set up to have everything and a missing part is a failure.
 */
public final class Requirements
{
    private Requirements()
    {
    }

    /** Whether this run is CI's, where nothing may be skipped for want of a tool. */
    private static boolean inCi()
    {
        return "true".equals(System.getenv("CI"));
    }

    /** Skips (or under CI fails) the calling test unless {@code present}; {@code missing} says what and what to do. */
    public static void require(final boolean present, final String missing)
    {
        if (!present)
        {
            missing(missing);
        }
    }

    private static <T> T missing(final String what)
    {
        return inCi() ? Assertions.fail(what + " (CI=true: nothing may be skipped)") : Assumptions.abort(what);
    }

    /** The first of {@code candidates} that is an executable file; skips (or under CI fails) when there is none. */
    public static Path executable(final String hint, final Path... candidates)
    {
        for (final Path candidate : candidates)
        {
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return missing(candidates[0].getFileName() + " not found (looked at "
            + String.join(", ", Arrays.stream(candidates).map(Path::toString).toList()) + "): " + hint);
    }

    /** Xen's XenStore tool {@code name} from Debian's xenstore-utils. */
    public static Path xenstoreTool(final String name)
    {
        return executable("run .ci/install-tools as root to install Xen's XenStore tools", Path.of("/usr/bin", name));
    }
}
