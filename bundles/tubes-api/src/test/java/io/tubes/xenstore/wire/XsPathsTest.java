package io.tubes.xenstore.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class XsPathsTest
{
    @ParameterizedTest
    @ValueSource(strings = {"/", "/local/domain/5/data", "/a-b_c@d/0"})
    void validPaths(final String path)
    {
        assertTrue(XsPaths.isValidAbsolute(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "relative", "/a/", "/a//b", "/a b", "/a.b", "/a\u00e9"})
    void invalidPaths(final String path)
    {
        assertFalse(XsPaths.isValidAbsolute(path));
    }

    @Test
    void lengthIsCountedAfterADomainsHomeAsXenstoredDoes()
    {
        final String rest = "x".repeat(XsPaths.REL_PATH_MAX);
        assertTrue(XsPaths.isValidAbsolute("/local/domain/12345/" + rest));
        assertFalse(XsPaths.isValidAbsolute("/local/domain/12345/" + rest + "x"));
        assertFalse(XsPaths.isValidAbsolute("/" + rest));
    }

    @Test
    void relativePathsResolveUnderTheDomainHome()
    {
        assertEquals("/local/domain/3/data/x", XsPaths.canonical("data/x", XsPaths.domainPath(3)));
        assertEquals("/abs", XsPaths.canonical("/abs", XsPaths.domainPath(3)));
        assertEquals(XsPaths.RELEASE_DOMAIN, XsPaths.canonical(XsPaths.RELEASE_DOMAIN, XsPaths.domainPath(3)));
    }

    @Test
    void ancestryIsByWholeComponents()
    {
        assertTrue(XsPaths.isAtOrBelow("/a/b", "/a"));
        assertTrue(XsPaths.isAtOrBelow("/a", "/a"));
        assertFalse(XsPaths.isAtOrBelow("/ab", "/a"));
        assertTrue(XsPaths.isAtOrBelow("/anything", "/"));
        assertEquals("/", XsPaths.parent("/a"));
        assertEquals("/a", XsPaths.parent("/a/b"));
        assertEquals("/a/b", XsPaths.child("/a", "b"));
        assertEquals("/b", XsPaths.child("/", "b"));
    }
}
