package io.tubes.tube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TubeStateTest
{
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void eachStateIsItsXenbusNumberInTheNode(final int number)
    {
        final TubeState state = TubeState.ofNode(Integer.toString(number));
        assertEquals(number, state.xenbus());
        assertEquals(Integer.toString(number), state.node());
    }

    @Test
    void aNodeThatIsGoneIsUnknownAndTheSeedsNamesMatch()
    {
        assertEquals(TubeState.UNKNOWN, TubeState.ofNode(null));
        assertEquals(TubeState.INIT_WAIT, TubeState.ofNode("2"));
        assertEquals(TubeState.CONNECTED, TubeState.ofNode("4"));
        assertTrue(TubeState.CLOSING.closing() && TubeState.CLOSED.closing() && !TubeState.CONNECTED.closing());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "7", "04", "4 ", "+4", "-1", "four", "\u0000\u0001"})
    void garbageInAStateNodeIsRefusedNamingIt(final String garbage)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TubeState.ofNode(garbage));
        assertTrue(e.getMessage().startsWith("a tube's state node holds 1 to 6, not '"), e.getMessage());
    }

    @Test
    void aLongOrUnprintableValueIsShownShortAndSafe()
    {
        final String message = assertThrows(IllegalArgumentException.class,
            () -> TubeState.ofNode("x\u0007".repeat(40))).getMessage();
        assertTrue(message.endsWith("'x?x?x?x?x?x?x?x?x?x?x?x?x?x?x?x?...'"), message);
    }
}
