package io.tubes.tube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TubeIdTest
{
    @Test
    void anIdIsTheTwoNamesAndTheIndexAndReadsBack()
    {
        final TubeId id = new TubeId("web", "db", 3);
        assertEquals("web>db/3", id.toString());
        assertEquals(id, TubeId.parse("web>db/3"));
        assertEquals(new TubeId("a.b-c_d", "x", 0), TubeId.parse("a.b-c_d>x/0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "web", "web>db", "web/db>0", ">db/0", "web>/0", "web>db/", "web>db/x", "web>db/-1",
        "we b>db/0", "web>d>b/0"})
    void anythingElseIsRefusedSayingWhatAnIdIs(final String text)
    {
        assertThrows(IllegalArgumentException.class, () -> TubeId.parse(text));
    }
}
