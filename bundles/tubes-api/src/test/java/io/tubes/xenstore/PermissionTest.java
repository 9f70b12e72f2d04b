package io.tubes.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionTest
{
    @ParameterizedTest
    @ValueSource(strings = {"n0", "r5", "w65535", "b12"})
    void wireFormRoundTrips(final String text)
    {
        assertEquals(text, Permission.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "b", "x1", "r-1", "r65536", "b1a", "B1", "r 1", "b0000001"})
    void garbageIsRefusedWithTheRuleAndTheText(final String text)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Permission.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"r", "w", "b", "n"})
    void accessLettersMeanWhatXenSays(final String letter)
    {
        final Permission.Access access = Permission.parse(letter + "0").access();
        assertEquals("rb".contains(letter), access.canRead());
        assertEquals("wb".contains(letter), access.canWrite());
    }
}
